package io.strata.engine.iscsi.session;

/**
 * Whether a plain read or write runs on the connection's I/O thread or goes to the block I/O
 * threads. Handing a command over costs two thread wake-ups (to the block I/O thread and back;
 * 12.6 % of the engine's samples were in thread switches in a profile of 4 KiB writes), and
 * concurrent buffered writes to one file only queue on its inode lock. So, when enabled, commands
 * run inline while they are quick. One that took longer than {@link #SLOW_NANOS} (plus {@link
 * #NANOS_PER_BYTE} per byte moved) shows that the device is slow now (a read from the disk, an
 * fsync, a write throttled by the kernel) or that the thread was preempted (a loaded machine,
 * where several threads get more scheduler share than one); the commands of the next {@link
 * #BACKOFF_NANOS} then go to the block I/O threads, so that a
 * slow device never holds up decoding for long, and afterwards inline is tried again.
 *
 * <p>Off by default ({@code -Dstrata.engine.inlineBlockIo=true} turns it on): measured beside the
 * default on a quiet machine it saved ~3 % of the CPU per 4 KiB read and nothing measurable on
 * writes (docs/benchmarks/iscsi.md, "CPU per I/O", run 6), too little for a second I/O path.
 *
 * <p>Called from the thread that delivers commands (normally the connection's I/O thread); the
 * state is two volatile fields, so a command delivered by another connection of the session sees
 * a recent decision, which is all it needs.
 */
final class InlinePolicy {
  /** A command slower than this (plus the per-byte allowance) sends the next ones to threads. */
  static final long SLOW_NANOS = 200_000;
  /** 1 ns per byte: a 1 MiB page-cached read copies in well under 1 ms. */
  static final long NANOS_PER_BYTE = 1;
  /** How long commands go to the block I/O threads after a slow one. */
  static final long BACKOFF_NANOS = 1_000_000_000L;

  private final boolean enabled;
  private volatile long threadsUntil;
  private volatile boolean backingOff;

  InlinePolicy(boolean enabled) {
    this.enabled = enabled;
  }

  /** Whether the policy is on at all: when off, the I/O path asks nothing else of it (not even the time). */
  boolean enabled() {
    return enabled;
  }

  /** Whether the command delivered at {@code now} (System.nanoTime) runs on the caller's thread. */
  boolean inline(long now) {
    if (!enabled) {
      return false;
    }
    if (backingOff) {
      if (now - threadsUntil < 0) {
        return false;
      }
      backingOff = false; // written only on the way back: no volatile store per command
    }
    return true;
  }

  /** An inline command that moved {@code bytes} finished at {@code end}, {@code nanos} after it began. */
  void ran(long nanos, long bytes, long end) {
    if (nanos > SLOW_NANOS + bytes * NANOS_PER_BYTE) {
      threadsUntil = end + BACKOFF_NANOS;
      backingOff = true;
    }
  }
}
