package io.strata.controlplane.rest;

import java.util.List;

/** One page of a list; pass {@code nextCursor} as {@code cursor} to get the next one. */
public record Page<T>(List<T> items, String nextCursor) {}
