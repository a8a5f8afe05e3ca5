package io.strata.engine.cache;

/**
 * The state of a cache line that holds data (a line not in the cache has no state: it was never
 * promoted or it was evicted).
 *
 * <pre>
 *            write (write-back)             destager copies to backing + flush
 *   CLEAN ─────────────────────▶ DIRTY ────────────────────────▶ DESTAGING
 *     ▲  ◀──────────────────────────────────────────────────────── │   │
 *     │          clean record written, no write meanwhile          │   │ a write meanwhile
 *     │                                               DIRTY ◀──────────┘
 *     └── evicted (only CLEAN lines are evicted) ──▶ (not cached)
 * </pre>
 */
public enum LineState {
  /** The SSD copy equals the backing device's; the line may be evicted at any time. */
  CLEAN,
  /** The SSD holds data the backing device does not have yet. Never evicted. */
  DIRTY,
  /** Copied to the backing device; becomes CLEAN once that copy is flushed, unless rewritten. */
  DESTAGING;

  boolean holdsUndestagedData() {
    return this != CLEAN;
  }
}
