package io.strata.engine.cache;

/**
 * One cached line: which line of the backing device it holds, in which SSD slot, in which state.
 * Fields change only under the stripe lock of {@link #backingLine}.
 */
final class CacheLine {
  final long backingLine;
  final int slot;
  LineState state;
  /** CRC32C of the line's data as last recorded for a DIRTY record (recovery checks it). */
  int dataCrc;

  CacheLine(long backingLine, int slot, LineState state, int dataCrc) {
    this.backingLine = backingLine;
    this.slot = slot;
    this.state = state;
    this.dataCrc = dataCrc;
  }
}
