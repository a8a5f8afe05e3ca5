package io.strata.engine.tier;

/** One planned extent move: logical {@code extent} goes to tier {@code to}. */
public record Move(long extent, Tier to) {}
