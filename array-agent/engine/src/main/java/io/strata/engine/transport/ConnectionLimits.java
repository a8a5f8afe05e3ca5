package io.strata.engine.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * How many connections a transport keeps open at once: at most {@code perSource} from one
 * network address and {@code total} in all. A connection over either limit is closed as it is
 * accepted, before a byte is read (the initiator sees the connection closed; it retries later,
 * as after any lost connection), so a flood of connections costs the engine no login state.
 * Refusals are logged at most once per {@value #LOG_EVERY_SECONDS} s, with how many there were.
 */
public final class ConnectionLimits {
  private static final Logger LOG = Logger.getLogger(ConnectionLimits.class.getName());
  static final int LOG_EVERY_SECONDS = 10;
  /** Enough for a few hosts' multi-connection sessions; far below a file-descriptor limit. */
  public static final int DEFAULT_TOTAL = 1024;
  /** A host opens one connection per session and path (MaxConnections is 8 at most here). */
  public static final int DEFAULT_PER_SOURCE = 64;

  private final int total;
  private final int perSource;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, Integer> bySource = new ConcurrentHashMap<>();
  private final AtomicInteger refusedSinceLog = new AtomicInteger();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_SECONDS * 1_000_000_000L);

  public ConnectionLimits(int total, int perSource) {
    if (total < 1 || perSource < 1) {
      throw new IllegalArgumentException("connection limits must be at least 1, not total "
          + total + " and per source " + perSource);
    }
    this.total = total;
    this.perSource = perSource;
  }

  public static ConnectionLimits defaults() {
    return new ConnectionLimits(DEFAULT_TOTAL, DEFAULT_PER_SOURCE);
  }

  public int total() {
    return total;
  }

  public int perSource() {
    return perSource;
  }

  /**
   * Admits a new connection {@code channel} from {@code source}, or closes it before a byte is
   * read when a limit is reached. An admitted channel is kept in {@code open} until it closes,
   * when its place is released.
   */
  public boolean admit(io.netty.channel.Channel channel, String source,
      java.util.List<io.netty.channel.Channel> open) {
    if (!admit(source)) {
      channel.close();
      return false;
    }
    channel.closeFuture().addListener(f -> release(source));
    open.add(channel);
    channel.closeFuture().addListener(f -> open.remove(channel));
    return true;
  }

  /**
   * Counts a new connection from {@code source} if both limits allow it; false (and nothing
   * counted) if not. Every admitted connection must be {@link #release}d once when it closes.
   */
  public boolean admit(String source) {
    if (open.incrementAndGet() > total) {
      open.decrementAndGet();
      refused("the engine has " + total + " connections open (its limit)");
      return false;
    }
    boolean[] admitted = {false};
    bySource.compute(source, (k, n) -> {
      int now = n == null ? 0 : n;
      if (now >= perSource) {
        return n;
      }
      admitted[0] = true;
      return now + 1;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
      refused(source + " has " + perSource + " connections open (the limit per address)");
    }
    return admitted[0];
  }

  public void release(String source) {
    bySource.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
    open.decrementAndGet();
  }

  /** Connections open now, for tests and statistics. */
  public int open() {
    return open.get();
  }

  private void refused(String why) {
    int refused = refusedSinceLog.incrementAndGet();
    long last = lastLog.get();
    long now = System.nanoTime();
    if (now - last >= LOG_EVERY_SECONDS * 1_000_000_000L && lastLog.compareAndSet(last, now)) {
      refusedSinceLog.addAndGet(-refused);
      LOG.warning("refused " + refused + " connection(s) in the last " + (now - last) / 1_000_000_000L
          + " s at accept; latest because " + why);
    }
  }
}
