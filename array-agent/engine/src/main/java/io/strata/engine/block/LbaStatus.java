package io.strata.engine.block;

/** A run of {@code blocks} blocks from {@code lba} that are all mapped, or all deallocated. */
public record LbaStatus(long lba, long blocks, boolean mapped) {}
