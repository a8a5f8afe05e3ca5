package io.strata.engine.iscsi.initiator;

import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.iscsi.pdu.AsyncMessage;
import io.strata.engine.iscsi.pdu.DataIn;
import io.strata.engine.iscsi.pdu.DataOut;
import io.strata.engine.iscsi.pdu.LogoutRequest;
import io.strata.engine.iscsi.pdu.LogoutResponse;
import io.strata.engine.iscsi.pdu.NopIn;
import io.strata.engine.iscsi.pdu.NopOut;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.PduCodec;
import io.strata.engine.iscsi.pdu.ReadyToTransfer;
import io.strata.engine.iscsi.pdu.Reject;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.iscsi.pdu.ScsiResponsePdu;
import io.strata.engine.iscsi.pdu.TaskManagementResponse;
import io.strata.engine.iscsi.pdu.TextResponse;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One logged-in iSCSI session of the engine's initiator, on one connection (MaxConnections=1,
 * ErrorRecoveryLevel 0), in full feature phase. Many commands may be outstanding: each has its
 * own ITT, CmdSNs are handed out in the order commands are queued, and a command waits while
 * the target's window (MaxCmdSN) is closed.
 *
 * <p>Two threads per session: a reader that routes what the target sends (Data-In into the
 * command's buffer, R2T to the writer, status to the waiting caller, NOP-In pings answered), and
 * a writer that sends PDUs in queue order, so the reader never blocks behind a large write. A
 * caller sends its command itself when the connection is free and no command is queued, which
 * saves a thread switch per command (a mirrored cache write makes two). The writer also pings the target (NOP-Out) when it has been quiet for a while, so a peer that
 * vanished without closing the connection is noticed without waiting for the next I/O.
 *
 * <p>Error handling is ERL 0's: when anything goes wrong with the connection (EOF, a bad PDU, a
 * command past its timeout) the connection is closed and every command in flight fails with a
 * {@link DeviceOfflineException}; the caller ({@link RemoteDrive}) logs in again with a new
 * session. A session is never reused after it closed.
 */
public final class InitiatorSession implements Closeable {
  private static final Logger LOG = Logger.getLogger(InitiatorSession.class.getName());
  static final int RESERVED_TAG = 0xffffffff;
  private static final int SIMPLE_TASK = 1;
  /** Commands take ITTs from 1 up; 0 is kept for the Logout Request. */
  private static final int LOGOUT_TAG = 0;

  /** A command's outcome as the target gave it. */
  public record Completion(int status, ByteBuffer sense, int residual) {}

  private final InitiatorConfig config;
  private final PduStream stream;
  private final InitiatorLogin.Agreed agreed;
  private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<Outgoing> outgoing = new LinkedBlockingQueue<>();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private final Object window = new Object();
  /**
   * Held by whoever writes to the connection: the writer thread, or a caller sending its own
   * command directly ({@link #sendDirectly}), which saves waking the writer for every command.
   */
  private final ReentrantLock sendLock = new ReentrantLock();
  /** SCSI Command PDUs in {@link #outgoing} not yet sent: a caller sends directly only at 0. */
  private final AtomicInteger commandsQueued = new AtomicInteger();
  private final Thread reader;
  private final Thread writer;
  private final CompletableFuture<Void> loggedOut = new CompletableFuture<>();
  /** Guarded by {@link #window}. */
  private int nextCmdSn;
  private int maxCmdSn;
  private int nextItt = 1;
  /** Written by the reader, read by the writer and callers. */
  private volatile int expStatSn;
  private volatile String closeReason;
  /** The target asked for a logout (asynchronous event 1): its Logout Response ends the session. */
  private volatile boolean targetAskedLogout;

  /** {@link #closeReason()} of a session that logged out because its target asked it to. */
  public static final String LOGGED_OUT_ON_REQUEST = "logged out at the target's request (asynchronous event 1)";
  /** When the reader last got anything from the target. */
  private volatile long lastHeardNanos = System.nanoTime();
  /** The ITT of our NOP-Out ping awaiting its NOP-In, or RESERVED_TAG; guarded by window. */
  private int pingItt = RESERVED_TAG;
  private long pingSentNanos;
  /** The most commands ever outstanding at once on this session (a figure for tests and logs). */
  private final AtomicInteger peakOutstanding = new AtomicInteger();

  /** Something the writer sends: a PDU, or the Data-Out of a burst built when it is its turn. */
  private sealed interface Outgoing permits Single, Burst {}

  /** {@code command}: a SCSI Command PDU, whose CmdSN orders it among the others. */
  private record Single(Pdu pdu, boolean command) implements Outgoing {}

  /** Data-Out PDUs for {@code [offset, offset + length)} of a write, answering {@code ttt}. */
  private record Burst(Task task, int ttt, int offset, int length) implements Outgoing {}

  /** One outstanding command. */
  private static final class Task {
    final int itt;
    final long lun;
    final ByteBuffer readInto;
    final ByteBuffer writeFrom;
    final int length;
    final CompletableFuture<Completion> done = new CompletableFuture<>();

    Task(int itt, long lun, ByteBuffer readInto, ByteBuffer writeFrom) {
      this.itt = itt;
      this.lun = lun;
      this.readInto = readInto == null ? null : readInto.slice();
      this.writeFrom = writeFrom == null ? null : writeFrom.slice();
      this.length = readInto != null ? readInto.remaining()
          : writeFrom != null ? writeFrom.remaining() : 0;
    }
  }

  private InitiatorSession(InitiatorConfig config, PduStream stream, InitiatorLogin.Agreed agreed) {
    this.config = config;
    this.stream = stream;
    this.agreed = agreed;
    this.nextCmdSn = agreed.firstCmdSn();
    this.maxCmdSn = agreed.maxCmdSn();
    this.expStatSn = agreed.expStatSn();
    String name = config.targetName();
    this.reader = new Thread(this::readLoop, "iscsi-initiator-read " + name);
    this.writer = new Thread(this::writeLoop, "iscsi-initiator-write " + name);
    reader.setDaemon(true);
    writer.setDaemon(true);
  }

  /**
   * Connects, logs in (within the config's connect timeout) and starts the session's threads.
   *
   * @param isid the initiator session id; the same ISID on every reconnect makes the target end
   *     a session of ours it still holds (session reinstatement, RFC 7143 6.3.5)
   */
  public static InitiatorSession open(InitiatorConfig config, long isid) throws IOException {
    return open(config, isid, 0);
  }

  /**
   * As {@link #open(InitiatorConfig, long)}, presenting fencing epoch {@code epoch} at login (an
   * HA array's engine; 0: none). An export fenced at a higher epoch refuses the login with
   * status 0x0202 (a {@link LoginRefusedException}).
   */
  public static InitiatorSession open(InitiatorConfig config, long isid, long epoch)
      throws IOException {
    PduStream stream = PduStream.connect(config.host(), config.port(), config.connectTimeout());
    // A target that accepts the connection but never answers must not hold us forever.
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(config.connectTimeout().toMillis());
        stream.close();
      } catch (InterruptedException e) {
        // login finished in time
      }
    }, "iscsi-login-timeout " + config.targetName());
    watchdog.setDaemon(true);
    watchdog.start();
    InitiatorLogin.Agreed agreed;
    try {
      agreed = InitiatorLogin.login(stream, config, isid, epoch);
    } catch (IOException | RuntimeException e) {
      stream.close();
      if (!watchdog.isAlive()) {
        throw new IOException("login to " + config.targetName() + " at " + config.portal()
            + " took longer than " + config.connectTimeout().toMillis() + " ms", e);
      }
      throw e;
    } finally {
      watchdog.interrupt();
    }
    InitiatorSession session = new InitiatorSession(config, stream, agreed);
    session.reader.start();
    session.writer.start();
    return session;
  }

  public InitiatorConfig config() {
    return config;
  }

  /** The largest data segment we may send, as the target declared it. */
  int maxSendSegment() {
    return agreed.maxSendSegment();
  }

  /** The most commands that were outstanding at the same time so far. */
  public int peakOutstanding() {
    return peakOutstanding.get();
  }

  /** Commands sent and not yet answered. */
  public int outstanding() {
    return tasks.size();
  }

  public boolean isOpen() {
    return closeReason == null;
  }

  /** Why the session closed, or null while it is open. */
  public String closeReason() {
    return closeReason;
  }

  /** Waits until the session has closed (the connection dropped, or {@link #close}). */
  public void awaitClosed() throws InterruptedException {
    closedLatch.await();
  }

  public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
    return closedLatch.await(timeout, unit);
  }

  /**
   * Runs one SCSI command and waits for its status, at most the config's command timeout (a
   * command that takes longer breaks the connection: at ERL 0 that is how its task is cleared).
   *
   * @param readInto where Data-In goes (its remaining bytes are the expected length), or null
   * @param writeFrom the data to send (its remaining bytes), or null
   */
  public Completion execute(byte[] cdb, ByteBuffer readInto, ByteBuffer writeFrom)
      throws IOException {
    return start(cdb, readInto, writeFrom).await();
  }

  /**
   * Sends one SCSI command without waiting for its status: {@link Started#await} waits, as
   * {@link #execute} does. The buffers must stay as they are until then.
   */
  public Started start(byte[] cdb, ByteBuffer readInto, ByteBuffer writeFrom) throws IOException {
    long deadline = System.nanoTime() + config.commandTimeout().toNanos();
    return new Started(submit(cdb, readInto, writeFrom, deadline), deadline);
  }

  /** A command sent by {@link #start}, whose status is not yet waited for. */
  public final class Started {
    private final Task task;
    private final long deadline;

    private Started(Task task, long deadline) {
      this.task = task;
      this.deadline = deadline;
    }

    /** Waits for the command's status, at most until the command timeout from its start. */
    public Completion await() throws IOException {
      return InitiatorSession.this.await(task, deadline);
    }
  }

  private Task submit(byte[] cdb, ByteBuffer readInto, ByteBuffer writeFrom, long deadline)
      throws IOException {
    Task task;
    synchronized (window) {
      // The target drops a CmdSN beyond MaxCmdSN silently: wait for it to open the window.
      while (isOpen() && nextCmdSn - maxCmdSn > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail("the target's command window stayed closed for "
              + config.commandTimeout().toMillis() + " ms");
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(window, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted waiting for the command window");
        }
      }
      if (!isOpen()) {
        throw offline(null);
      }
      int itt = nextItt++;
      if (nextItt == RESERVED_TAG || nextItt == 0) {
        nextItt = 1;
      }
      task = new Task(itt, lunField(), readInto, writeFrom);
      tasks.put(itt, task);
      peakOutstanding.accumulateAndGet(tasks.size(), Math::max);
      int cmdSn = nextCmdSn++;
      // Queued under the window lock: the writer sends commands in CmdSN order.
      queueCommand(task, cdb, cmdSn);
    }
    return task;
  }

  /** The command PDU with its immediate data, then any unsolicited Data-Out (first burst). */
  private void queueCommand(Task task, byte[] cdb, int cmdSn) {
    boolean write = task.writeFrom != null && task.length > 0;
    boolean read = task.readInto != null && task.length > 0;
    int immediate = 0;
    int unsolicitedEnd = 0;
    if (write) {
      if (agreed.immediateData()) {
        immediate = Math.min(task.length,
            Math.min(agreed.firstBurstLength(), agreed.maxSendSegment()));
      }
      unsolicitedEnd = agreed.initialR2T() ? immediate
          : Math.min(agreed.firstBurstLength(), task.length);
    }
    ByteBuffer data = immediate == 0 ? Pdu.NO_DATA : task.writeFrom.slice(0, immediate);
    boolean finalPdu = unsolicitedEnd == immediate;
    Pdu command = new ScsiCommandPdu(false, finalPdu, read, write, SIMPLE_TASK, task.lun,
        task.itt, task.length, cmdSn, expStatSn, cdb, data);
    if (finalPdu && sendDirectly(command)) {
      return;
    }
    commandsQueued.incrementAndGet();
    outgoing.add(new Single(command, true));
    if (unsolicitedEnd > immediate) {
      outgoing.add(new Burst(task, RESERVED_TAG, immediate, unsolicitedEnd - immediate));
    }
  }

  /**
   * Sends a command PDU on the caller's thread when nothing is being sent and no command waits
   * in the queue (so CmdSN order holds: commands are queued or sent under the window lock, in
   * CmdSN order). Never waits for the connection: if the writer is sending, the command is
   * queued instead. A failed send closes the session, which fails the command with the others.
   * (The callers are block I/O threads, which are never interrupted: an interrupt during the
   * send would close the connection, as it would the writer's.)
   */
  private boolean sendDirectly(Pdu command) {
    if (!sendLock.tryLock()) {
      return false;
    }
    try {
      if (commandsQueued.get() > 0) {
        return false;
      }
      stream.send(command);
    } catch (IOException e) {
      fail("sending to the target: " + e.getMessage());
    } finally {
      sendLock.unlock();
    }
    return true;
  }

  private Completion await(Task task, long deadline) throws IOException {
    try {
      return task.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      fail("a command got no answer within " + config.commandTimeout().toMillis() + " ms");
      throw offline(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for a command");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    } finally {
      tasks.remove(task.itt);
    }
  }

  private DeviceOfflineException offline(Throwable cause) {
    return new DeviceOfflineException("remote drive " + config.targetName() + " at "
        + config.portal() + " is unreachable: " + closeReason, cause);
  }

  /** LUN field of the BHS: single-level peripheral addressing (SAM-5), LUN below 256. */
  private long lunField() {
    return (long) config.lun() << 48;
  }

  // ---------------------------------------------------------------- the writer

  private void writeLoop() {
    long tick = Math.max(50, Math.min(1000, keepAliveIdleNanos() / 4_000_000));
    try {
      while (isOpen()) {
        Outgoing next = outgoing.poll(tick, TimeUnit.MILLISECONDS);
        if (next != null) {
          sendLock.lock();
          try {
            if (next instanceof Single s) {
              stream.send(s.pdu());
              if (s.command()) {
                commandsQueued.decrementAndGet();
              }
            } else if (next instanceof Burst b) {
              sendBurst(b);
            }
          } finally {
            sendLock.unlock();
          }
        }
        keepAlive();
      }
    } catch (IOException e) {
      fail("sending to the target: " + e.getMessage());
    } catch (InterruptedException e) {
      fail("stopped");
    }
  }

  /**
   * After this long without a word from the target we ping it: half the command timeout, at
   * most 5 s. A target (or a whole node) that died without closing the connection is then found
   * out within idle + command timeout, even while no I/O is asking, rather than by the next I/O
   * waiting out its timeout.
   */
  private long keepAliveIdleNanos() {
    return Math.min(TimeUnit.SECONDS.toNanos(5), config.commandTimeout().toNanos() / 2);
  }

  /** Sends a NOP-Out ping when the line has been quiet; fails the session if none is answered. */
  private void keepAlive() throws IOException {
    long now = System.nanoTime();
    NopOut ping;
    synchronized (window) {
      if (pingItt != RESERVED_TAG) {
        if (now - pingSentNanos > config.commandTimeout().toNanos()) {
          fail("no answer to a NOP-Out ping within " + config.commandTimeout().toMillis()
              + " ms");
        }
        return;
      }
      if (now - lastHeardNanos < keepAliveIdleNanos()) {
        return;
      }
      pingItt = nextItt++;
      if (nextItt == RESERVED_TAG || nextItt == 0) {
        nextItt = 1;
      }
      pingSentNanos = now;
      // Immediate, so it needs no room in the command window and does not advance CmdSN.
      ping = new NopOut(true, 0, pingItt, RESERVED_TAG, nextCmdSn, expStatSn, Pdu.NO_DATA);
    }
    sendLock.lock();
    try {
      stream.send(ping);
    } finally {
      sendLock.unlock();
    }
  }

  /** Data-Out PDUs of at most the target's MaxRecvDataSegmentLength, F on the last. */
  private void sendBurst(Burst burst) throws IOException {
    Task task = burst.task();
    if (task.done.isDone()) {
      return; // answered meanwhile (e.g. CHECK CONDITION before all data was asked for)
    }
    int dataSn = 0;
    int end = burst.offset() + burst.length();
    for (int at = burst.offset(); at < end; ) {
      int n = Math.min(agreed.maxSendSegment(), end - at);
      boolean last = at + n == end;
      stream.send(new DataOut(last, task.lun, task.itt, burst.ttt(), expStatSn, dataSn++, at,
          task.writeFrom.slice(at, n)));
      at += n;
    }
  }

  // ---------------------------------------------------------------- the reader

  private void readLoop() {
    try {
      while (isOpen()) {
        Pdu pdu = stream.receive();
        lastHeardNanos = System.nanoTime();
        route(pdu);
      }
    } catch (IOException e) {
      fail(isOpen() ? e.getMessage() : closeReason);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "initiator session to " + config.targetName() + " failed", e);
      fail("internal error: " + e);
    }
  }

  private void route(Pdu pdu) throws IOException {
    if (pdu instanceof DataIn d) {
      window(d.expCmdSn(), d.maxCmdSn());
      dataIn(d);
    } else if (pdu instanceof ScsiResponsePdu r) {
      window(r.expCmdSn(), r.maxCmdSn());
      status(r.statSn());
      Task task = tasks.get(r.itt());
      if (task != null) {
        if (r.response() != 0) {
          task.done.completeExceptionally(new IOException("target failure (iSCSI response "
              + r.response() + ") for a command on " + config.targetName()));
        } else {
          task.done.complete(new Completion(r.status(), r.data(),
              r.underflow() ? r.residualCount() : 0));
        }
      }
    } else if (pdu instanceof ReadyToTransfer r2t) {
      window(r2t.expCmdSn(), r2t.maxCmdSn());
      Task task = tasks.get(r2t.itt());
      if (task == null) {
        return; // timed out meanwhile; the session is closing anyway
      }
      if (task.writeFrom == null || r2t.bufferOffset() < 0 || r2t.desiredLength() <= 0
          || (long) r2t.bufferOffset() + r2t.desiredLength() > task.length) {
        throw new IOException("R2T for bytes outside the write (offset " + r2t.bufferOffset()
            + ", length " + r2t.desiredLength() + " of " + task.length + ")");
      }
      outgoing.add(new Burst(task, r2t.ttt(), r2t.bufferOffset(), r2t.desiredLength()));
    } else if (pdu instanceof NopIn nop) {
      window(nop.expCmdSn(), nop.maxCmdSn());
      if (nop.itt() != RESERVED_TAG) {
        status(nop.statSn());
        synchronized (window) {
          if (nop.itt() == pingItt) {
            pingItt = RESERVED_TAG; // our ping answered
          }
        }
      }
      if (nop.ttt() != RESERVED_TAG) {
        // The target's ping: answer at once, immediate, echoing its TTT (RFC 7143 11.18).
        int cmdSn;
        synchronized (window) {
          cmdSn = nextCmdSn;
        }
        outgoing.add(new Single(new NopOut(true, nop.lun(), RESERVED_TAG, nop.ttt(), cmdSn,
            expStatSn, Pdu.NO_DATA), false));
      }
    } else if (pdu instanceof AsyncMessage async) {
      window(async.expCmdSn(), async.maxCmdSn());
      if (async.event() == AsyncMessage.LOGOUT_REQUESTED) {
        // 1: the target asks us to log out (it is stopping, RFC 7143 11.9.1): a clean Logout,
        // whose response closes the session; the drive then logs in afresh when it can
        targetAskedLogout = true;
        int cmdSn;
        synchronized (window) {
          cmdSn = nextCmdSn;
        }
        outgoing.add(new Single(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, LOGOUT_TAG, 0, cmdSn,
            expStatSn), false));
      } else if (async.event() != 0) {
        // 2, 3: it drops the connection or session; 4: it wants a renegotiation we do not do.
        // Each ends in a fresh login by the drive.
        fail("the target sent asynchronous event " + async.event());
      }
    } else if (pdu instanceof Reject reject) {
      byte[] header = new byte[PduCodec.BHS_LENGTH];
      if (reject.data().remaining() >= PduCodec.BHS_LENGTH) {
        reject.data().duplicate().get(header);
        Task task = tasks.get(PduCodec.get32(header, 16));
        if (task != null) {
          task.done.completeExceptionally(new IOException("the target rejected a command (reason 0x"
              + Integer.toHexString(reject.reason()) + ")"));
          return;
        }
      }
      fail("the target rejected a PDU (reason 0x" + Integer.toHexString(reject.reason()) + ")");
    } else if (pdu instanceof LogoutResponse r) {
      status(r.statSn());
      loggedOut.complete(null);
      if (targetAskedLogout) {
        fail(LOGGED_OUT_ON_REQUEST);
      }
    } else if (pdu instanceof TaskManagementResponse || pdu instanceof TextResponse) {
      // We send neither; tolerated rather than fatal.
      LOG.fine(() -> "unexpected " + pdu.opcode() + " from " + config.targetName());
    } else {
      throw new IOException("unexpected " + pdu.opcode() + " in full feature phase");
    }
  }

  private void dataIn(DataIn d) throws IOException {
    Task task = tasks.get(d.itt());
    if (task == null) {
      return;
    }
    int n = d.data().remaining();
    if (n > 0) {
      if (task.readInto == null || d.bufferOffset() < 0
          || (long) d.bufferOffset() + n > task.length) {
        throw new IOException("Data-In outside the read buffer (offset " + d.bufferOffset()
            + ", " + n + " bytes of " + task.length + ")");
      }
      task.readInto.put(d.bufferOffset(), d.data().duplicate(), d.data().position(), n);
    }
    if (d.statusPresent()) {
      status(d.statSn());
      task.done.complete(new Completion(d.status(), Pdu.NO_DATA,
          d.underflow() ? d.residualCount() : 0));
    }
  }

  /** Takes ExpCmdSN/MaxCmdSN from a PDU; a window that would be negative is ignored. */
  private void window(int expCmdSn, int newMax) {
    if (newMax - expCmdSn < -1) {
      return;
    }
    synchronized (window) {
      if (newMax - maxCmdSn > 0) {
        maxCmdSn = newMax;
        window.notifyAll();
      }
    }
  }

  private void status(int statSn) {
    if (statSn + 1 - expStatSn > 0) {
      expStatSn = statSn + 1;
    }
  }

  // ---------------------------------------------------------------- closing

  /**
   * Closes the connection with {@code reason} and fails every command in flight. The first
   * reason wins; later calls do nothing.
   */
  void fail(String reason) {
    synchronized (window) {
      if (closeReason != null) {
        return;
      }
      closeReason = reason == null ? "connection closed" : reason;
      window.notifyAll();
    }
    stream.close();
    List<Task> left = new ArrayList<>(tasks.values());
    for (Task t : left) {
      t.done.completeExceptionally(offline(null));
    }
    writer.interrupt();
    closedLatch.countDown();
    LOG.info(() -> "session to " + config.targetName() + " at " + config.portal() + " closed: "
        + closeReason);
  }

  /** Logs out (briefly waiting for the answer), then closes. */
  @Override
  public void close() {
    if (isOpen()) {
      int cmdSn;
      synchronized (window) {
        cmdSn = nextCmdSn;
      }
      outgoing.add(new Single(new LogoutRequest(true, LogoutRequest.CLOSE_SESSION, LOGOUT_TAG,
          0, cmdSn, expStatSn), false));
      try {
        loggedOut.get(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // closing anyway
      }
    }
    fail("closed by the engine");
  }
}
