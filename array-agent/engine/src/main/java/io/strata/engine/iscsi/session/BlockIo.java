package io.strata.engine.iscsi.session;

import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.scsi.ScsiResponse;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The block I/O threads of one connection. Plain READ and WRITE commands (SIMPLE or untagged)
 * run here, so the connection's I/O thread keeps decoding and several positional reads and
 * writes proceed at once while the initiator keeps its queue full. Their responses go back to
 * the I/O thread, which sends everything finished in one flush.
 *
 * <p>Durability is unchanged: a response is built only after the write returned. Task
 * management stays exact: an aborted command still running here is waited for (so it has no
 * effect after the TMF response) and its response is never sent. Nothing here is shared with
 * other connections.
 */
final class BlockIo implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BlockIo.class.getName());
  /** Threads per connection; 0 runs every command on the connection's I/O thread. */
  static final String THREADS_PROPERTY = "strata.engine.ioThreadsPerConnection";
  /**
   * true: plain reads and writes run on the I/O thread while quick ({@link InlinePolicy}). Off by
   * default until a measurement on a quiet machine shows what it buys: on the loaded 2-core
   * machine it was written on, A/B runs disagreed (docs/benchmarks/iscsi.md, "CPU per I/O").
   */
  static final String INLINE_PROPERTY = "strata.engine.inlineBlockIo";
  private static final int DEFAULT_THREADS = 4;
  /** How long an abort waits for a read or write that is under way. */
  private static final long ABORT_WAIT_SECONDS = 30;
  private static final AtomicInteger CONNECTIONS = new AtomicInteger();

  /** One command handed to the block I/O threads. */
  static final class InFlight {
    private final ScsiCommandPdu command;
    private final int r2tCount;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile ScsiResponse response;

    InFlight(ScsiCommandPdu command, int r2tCount) {
      this.command = command;
      this.r2tCount = r2tCount;
    }

    ScsiCommandPdu command() {
      return command;
    }

    int r2tCount() {
      return r2tCount;
    }

    ScsiResponse response() {
      return response;
    }

    void await() {
      try {
        if (!done.await(ABORT_WAIT_SECONDS, TimeUnit.SECONDS)) {
          LOG.warning("a block I/O command is still running after " + ABORT_WAIT_SECONDS + "s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private final int threads;
  private final Runnable sendCompleted;
  private final Map<Integer, InFlight> running = new ConcurrentHashMap<>();
  private final Queue<InFlight> completed = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sendScheduled = new AtomicBoolean();
  private volatile ThreadPoolExecutor pool; // created on first use
  private volatile boolean closed;

  /**
   * @param threads how many commands may run at once (0: none are taken)
   * @param sendCompleted asks the connection's I/O thread to send finished responses
   */
  BlockIo(int threads, Runnable sendCompleted) {
    this.threads = threads;
    this.sendCompleted = sendCompleted;
  }

  static int threadsPerConnection() {
    return Integer.getInteger(THREADS_PROPERTY, DEFAULT_THREADS);
  }

  /** Whether plain reads and writes run on the I/O thread while they are quick (default no). */
  static boolean inlineWhileQuick() {
    return Boolean.getBoolean(INLINE_PROPERTY);
  }

  /** Whether {@code command} is a plain read or write that may run here. */
  boolean takes(ScsiCommandPdu command) {
    if (threads <= 0 || closed || command.taskAttribute() > 1) {
      return false; // ORDERED, HEAD OF QUEUE and ACA tasks keep their place
    }
    byte[] cdb = command.cdb();
    switch (cdb[0] & 0xff) {
      case 0x08, 0x28, 0xa8, 0x88, // READ 6/10/12/16
          0x0a, 0x2a, 0xaa, 0x8a -> { // WRITE 6/10/12/16
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  /**
   * Runs {@code work} on a block I/O thread; its response is sent later from the I/O thread.
   * Returns null (and runs nothing) when the pool is shut or this ITT is already running.
   */
  InFlight submit(ScsiCommandPdu command, int r2tCount, Supplier<ScsiResponse> work) {
    InFlight task = new InFlight(command, r2tCount);
    if (running.putIfAbsent(command.itt(), task) != null) {
      return null; // a reused ITT: run it inline, after the one under way
    }
    try {
      pool().execute(() -> {
        try {
          task.response = work.get();
        } finally {
          task.done.countDown();
          completed.add(task);
          if (sendScheduled.compareAndSet(false, true)) {
            sendCompleted.run();
          }
        }
      });
      return task;
    } catch (RejectedExecutionException e) {
      running.remove(command.itt(), task);
      return null;
    }
  }

  /** Whether no command taken here is running or waiting to be answered. */
  boolean idle() {
    return running.isEmpty();
  }

  /** Called by the I/O thread before it takes completed commands. */
  void drainStarted() {
    sendScheduled.set(false);
  }

  InFlight nextCompleted() {
    return completed.poll();
  }

  /** Removes a finished command; false if it was aborted meanwhile (no response then). */
  boolean retire(InFlight task) {
    return running.remove(task.command().itt(), task);
  }

  /** Waits until every command taken so far has finished (not necessarily been answered). */
  void awaitAll() {
    for (InFlight task : running.values()) {
      task.await();
    }
  }

  /**
   * Aborts the running commands {@code which} selects: they will get no response, and this
   * returns once they have finished, so none has an effect after the caller's TMF response.
   */
  boolean abort(Predicate<InFlight> which) {
    boolean found = false;
    for (InFlight task : running.values()) {
      if (which.test(task) && running.remove(task.command().itt(), task)) {
        task.await();
        found = true;
      }
    }
    return found;
  }

  private ThreadPoolExecutor pool() {
    ThreadPoolExecutor p = pool;
    if (p == null) {
      synchronized (this) {
        if (closed) {
          throw new RejectedExecutionException("closed");
        }
        p = pool;
        if (p == null) {
          String name = "strata-blockio-" + CONNECTIONS.incrementAndGet() + "-";
          AtomicInteger n = new AtomicInteger();
          p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, name + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
          p.allowCoreThreadTimeOut(true);
          pool = p;
        }
      }
    }
    return p;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (pool != null) {
        pool.shutdown();
      }
    }
  }
}
