package io.strata.engine.transport.iser;

import com.ibm.disni.verbs.IbvCQ;
import com.ibm.disni.verbs.IbvCompChannel;
import com.ibm.disni.verbs.IbvContext;
import com.ibm.disni.verbs.IbvMr;
import com.ibm.disni.verbs.IbvPd;
import com.ibm.disni.verbs.IbvQP;
import com.ibm.disni.verbs.IbvQPInitAttr;
import com.ibm.disni.verbs.IbvRecvWR;
import com.ibm.disni.verbs.IbvSendWR;
import com.ibm.disni.verbs.IbvSge;
import com.ibm.disni.verbs.IbvWC;
import com.ibm.disni.verbs.RdmaCm;
import com.ibm.disni.verbs.RdmaCmEvent;
import com.ibm.disni.verbs.RdmaCmId;
import com.ibm.disni.verbs.RdmaEventChannel;
import com.ibm.disni.verbs.RdmaVerbs;
import com.ibm.disni.verbs.SVCPollCq;
import com.ibm.disni.verbs.SVCPostRecv;
import com.ibm.disni.verbs.SVCPostSend;
import com.ibm.disni.verbs.SVCReqNotify;
import com.ibm.disni.verbs.impl.NatObject;
import io.strata.engine.iscsi.login.Negotiation;
import io.strata.engine.transport.PduConnection;
import io.strata.engine.transport.PduHandler;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * iSCSI over RDMA (iSER, RFC 7145) with DiSNI's verbs API and Strata's own libdisni.
 *
 * <p>Threads: one connection-manager thread per portal (accepts and disconnects) and a small fixed
 * set of completion threads per RDMA device, each with its own completion channel and completion
 * queue shared by the connections assigned to it; no thread per connection. Memory: per device,
 * two pools registered once at start (message slots for Sends and Receives, data slots for RDMA
 * Reads and Writes); an I/O takes slots and gives them back, it never registers memory.
 */
public final class IserTransport implements Transport {
  private static final Logger LOG = Logger.getLogger(IserTransport.class.getName());

  /** Receive and send buffers: iSER + iSCSI headers, the largest AHS, the agreed data, padding. */
  static final int MESSAGE_SLOT_BYTES =
      IserMessages.HEADERS_LENGTH + 1020 + Negotiation.ISER_RECV_DATA_SEGMENT_LENGTH + 4;
  static final int MESSAGE_SLOTS = 2048;
  /** One RDMA Read or Write moves at most this much; larger bursts become several. */
  static final int DATA_SLOT_BYTES = 256 * 1024;
  static final int DATA_SLOTS = 64;
  static final int RECEIVES_PER_CONNECTION = 64;
  static final int SEND_QUEUE_DEPTH = 256;
  static final int COMPLETION_QUEUE_DEPTH = 4096;
  /** iSER CM REP flags (RFC 7145 5.1.3): no zero-based addressing, no Send with Invalidate. */
  private static final byte[] ISER_CM_REP = {(byte) 0xc0, 0, 0, 0};

  private static final int KIND_RECV = 1;
  private static final int KIND_SEND = 2;
  private static final int KIND_WRITE = 3;
  private static final int KIND_READ = 4;
  private static final String[] KIND_NAMES = {"?", "receive", "send", "RDMA write", "RDMA read"};

  private final int completionThreads;
  private final RdmaCm cm;
  private final RdmaVerbs verbs;
  private final Map<Long, Device> devices = new ConcurrentHashMap<>();
  private final Map<Integer, QueuePair> connections = new ConcurrentHashMap<>();
  private final Map<Long, QueuePair> byCmId = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new ArrayList<>();
  private final AtomicInteger nextConnectionId = new AtomicInteger(1);
  private volatile boolean running = true;

  /** Opens the RDMA stack; fails with a clear message where libdisni or RDMA is missing. */
  public IserTransport(int completionThreads) throws IOException {
    String problem = IserNative.problem();
    if (problem != null) {
      throw new IOException("iSER unavailable: " + problem);
    }
    this.completionThreads = Math.max(1, completionThreads);
    // DiSNI logs every verb at INFO through slf4j; keep the engine log about the engine.
    Logger.getLogger("com.ibm.disni").setLevel(Level.WARNING);
    this.cm = RdmaCm.open();
    this.verbs = RdmaVerbs.open();
  }

  @Override
  public void listen(Portal portal, Function<PduConnection, PduHandler> acceptor) throws IOException {
    RdmaEventChannel channel;
    try {
      channel = cm.createEventChannel();
    } catch (IOException e) {
      throw new IOException("no RDMA connection manager here (no RDMA device, or the rdma_ucm"
          + " module is not loaded; see docs/iser.md): " + e.getMessage(), e);
    }
    RdmaCmId id = cm.createId(channel, RdmaCm.RDMA_PS_TCP);
    InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(portal.host()), portal.port());
    try {
      cm.bindAddr(id, address);
      cm.listen(id, 128);
    } catch (IOException e) {
      throw new IOException("cannot listen for iSER on " + portal.host() + ":" + portal.port()
          + " (no RDMA device on that address?): " + e.getMessage(), e);
    }
    Listener listener = new Listener(portal, channel, id, acceptor);
    listeners.add(listener);
    Thread thread = new Thread(listener, "iser-cm-" + portal.port());
    thread.setDaemon(true);
    listener.thread = thread;
    thread.start();
    LOG.info(() -> "iSER listening on " + portal.host() + ":" + portal.port());
  }

  @Override
  public void close() {
    running = false;
    for (QueuePair qp : connections.values()) {
      qp.disconnect();
    }
    for (Listener l : listeners) {
      try {
        l.thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Device d : devices.values()) {
      d.stop();
    }
  }

  private static long objId(Object nat) {
    return ((NatObject) nat).getObjId();
  }

  // ------------------------------------------------------------------ connection manager

  /** One portal's connection-manager events, on its own thread. */
  private final class Listener implements Runnable {
    final Portal portal;
    final RdmaEventChannel channel;
    final RdmaCmId id;
    final Function<PduConnection, PduHandler> acceptor;
    Thread thread;

    Listener(Portal portal, RdmaEventChannel channel, RdmaCmId id,
        Function<PduConnection, PduHandler> acceptor) {
      this.portal = portal;
      this.channel = channel;
      this.id = id;
      this.acceptor = acceptor;
    }

    @Override
    public void run() {
      while (running) {
        RdmaCmEvent event;
        try {
          event = cm.getCmEvent(channel, 200);
        } catch (IOException e) {
          LOG.log(Level.WARNING, "iSER connection manager failed", e);
          return;
        }
        if (event == null) {
          continue;
        }
        try {
          handle(event);
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.WARNING, "iSER connection event " + event.getEvent() + " failed", e);
        }
      }
      try {
        cm.destroyCmId(id);
        cm.destroyEventChannel(channel);
      } catch (IOException e) {
        LOG.log(Level.FINE, "closing the iSER listener", e);
      }
    }

    private void handle(RdmaCmEvent event) throws IOException {
      RdmaCmEvent.EventType type = RdmaCmEvent.EventType.values()[event.getEvent()];
      RdmaCmId conn = event.getConnIdPriv();
      switch (type) {
        case RDMA_CM_EVENT_CONNECT_REQUEST -> accept(conn);
        case RDMA_CM_EVENT_ESTABLISHED -> {
          QueuePair qp = byCmId.get(objId(conn));
          if (qp != null) {
            LOG.info(() -> "iSER connection from " + qp.remote + " established");
          }
        }
        case RDMA_CM_EVENT_DISCONNECTED, RDMA_CM_EVENT_CONNECT_ERROR, RDMA_CM_EVENT_UNREACHABLE,
            RDMA_CM_EVENT_REJECTED, RDMA_CM_EVENT_DEVICE_REMOVAL -> {
          QueuePair qp = byCmId.get(objId(conn));
          if (qp != null) {
            qp.worker.tasks.add(qp::teardown);
          }
        }
        default -> {}
      }
    }

    private void accept(RdmaCmId conn) throws IOException {
      long cmId = objId(conn);
      byte[] request = IserNative.requestPrivateData(cmId);
      if (request.length > 0 && request.length < 4) {
        LOG.info("iSER CM REQ private data too short; rejecting the connection");
        IserNative.reject(cmId);
        return;
      }
      if (!running) {
        IserNative.reject(cmId);
        return;
      }
      Device device = device(conn.getVerbs());
      Worker worker = device.nextWorker();
      QueuePair qp;
      try {
        qp = new QueuePair(nextConnectionId.getAndIncrement(), conn, device, worker, portal);
      } catch (IOException | RuntimeException e) {
        IserNative.reject(cmId);
        throw e;
      }
      IserConnection iscsi = new IserConnection(portal, qp);
      qp.iscsi = iscsi;
      iscsi.handler(acceptor.apply(iscsi));
      connections.put(qp.id, qp);
      byCmId.put(cmId, qp);
      try {
        IserNative.acceptWithPrivateData(cmId, 7, 7, ISER_CM_REP);
      } catch (RuntimeException e) {
        worker.tasks.add(qp::teardown);
        throw e;
      }
    }
  }

  private Device device(IbvContext context) throws IOException {
    long key = objId(context);
    Device existing = devices.get(key);
    if (existing != null) {
      return existing;
    }
    synchronized (devices) {
      Device d = devices.get(key);
      if (d == null) {
        d = new Device(context);
        devices.put(key, d);
      }
      return d;
    }
  }

  // ------------------------------------------------------------------ devices and memory

  /** Memory registered once, handed out in fixed slots. */
  final class RegisteredPool {
    final ByteBuffer memory;
    final IbvMr mr;
    final int slotBytes;
    final ConcurrentLinkedQueue<Integer> free = new ConcurrentLinkedQueue<>();

    RegisteredPool(IbvPd pd, int slots, int slotBytes) throws IOException {
      this.slotBytes = slotBytes;
      this.memory = ByteBuffer.allocateDirect(slots * slotBytes);
      this.mr = verbs.regMr(pd, memory, IbvMr.IBV_ACCESS_LOCAL_WRITE).execute().free().getMr();
      for (int i = 0; i < slots; i++) {
        free.add(i);
      }
    }

    /** A free slot, or -1 when all are in use (the caller queues and retries). */
    int take() {
      Integer slot = free.poll();
      return slot == null ? -1 : slot;
    }

    void give(int slot) {
      free.add(slot);
    }

    long address(int slot) {
      return mr.getAddr() + (long) slot * slotBytes;
    }

    ByteBuffer slice(int slot, int length) {
      return memory.slice(slot * slotBytes, length);
    }
  }

  /** One RDMA device: its protection domain, pools and completion threads. */
  final class Device {
    final IbvContext context;
    final IbvPd pd;
    final RegisteredPool messages;
    final RegisteredPool data;
    final Worker[] workers;
    final ConcurrentLinkedQueue<QueuePair> waitingForSlots = new ConcurrentLinkedQueue<>();
    private final AtomicInteger next = new AtomicInteger();

    Device(IbvContext context) throws IOException {
      this.context = context;
      this.pd = verbs.allocPd(context);
      this.messages = new RegisteredPool(pd, MESSAGE_SLOTS, MESSAGE_SLOT_BYTES);
      this.data = new RegisteredPool(pd, DATA_SLOTS, DATA_SLOT_BYTES);
      this.workers = new Worker[completionThreads];
      for (int i = 0; i < workers.length; i++) {
        workers[i] = new Worker(this, i);
      }
    }

    Worker nextWorker() {
      return workers[Math.floorMod(next.getAndIncrement(), workers.length)];
    }

    /** Slots came back: let connections that were waiting for one go on. */
    void slotsReleased() {
      QueuePair qp;
      int n = waitingForSlots.size();
      while (n-- > 0 && (qp = waitingForSlots.poll()) != null) {
        QueuePair waiting = qp;
        waiting.worker.tasks.add(waiting::pump);
      }
    }

    void stop() {
      for (Worker w : workers) {
        w.stop();
      }
    }
  }

  /** A completion thread: one completion channel and queue for its share of the connections. */
  final class Worker implements Runnable {
    final Device device;
    final IbvCompChannel channel;
    final IbvCQ cq;
    final IbvWC[] completions = new IbvWC[32];
    final SVCPollCq poll;
    final SVCReqNotify arm;
    final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    final Thread thread;
    private volatile boolean stopping;

    Worker(Device device, int index) throws IOException {
      this.device = device;
      this.channel = verbs.createCompChannel(device.context);
      this.cq = verbs.createCQ(device.context, channel, COMPLETION_QUEUE_DEPTH, 0);
      for (int i = 0; i < completions.length; i++) {
        completions[i] = new IbvWC();
      }
      this.poll = verbs.pollCQ(cq, completions, completions.length);
      this.arm = verbs.reqNotifyCQ(cq, false);
      this.thread = new Thread(this, "iser-completions-" + index);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void run() {
      try {
        arm.execute();
        while (!stopping) {
          drain();
          runTasks();
          if (verbs.getCqEvent(channel, cq, 100)) {
            verbs.ackCqEvents(cq, 1);
            arm.execute();
          }
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.SEVERE, "iSER completion thread failed", e);
      }
    }

    private void runTasks() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "iSER task failed", e);
        }
      }
    }

    private void drain() throws IOException {
      int n;
      while ((n = poll.execute().getPolls()) > 0) {
        for (int i = 0; i < n; i++) {
          complete(completions[i]);
        }
      }
    }

    private void complete(IbvWC wc) {
      long wrId = wc.getWr_id();
      int connection = (int) (wrId >>> 40);
      int kind = (int) (wrId >>> 32) & 0xff;
      int slot = (int) wrId;
      QueuePair qp = connections.get(connection);
      if (qp == null) {
        return; // torn down: its slots went back to the pools then
      }
      qp.completed(kind, slot, wc);
    }

    void stop() {
      stopping = true;
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ one connection

  /** A queued RDMA operation, posted in call order when a slot and a send-queue entry are free. */
  private record Operation(int kind, ByteBuffer payload, long remote, int rkey, int length,
      Consumer<ByteBuffer> done) {}

  /** One RDMA connection: its queue pair, posted receives and in-order send queue. */
  final class QueuePair implements RdmaOperations {
    final int id;
    final RdmaCmId cmId;
    final Device device;
    final Worker worker;
    final String remote;
    final IbvQP qp;
    IserConnection iscsi;
    private final int[] receiveSlots = new int[RECEIVES_PER_CONNECTION];
    private final SVCPostRecv[] receives = new SVCPostRecv[RECEIVES_PER_CONNECTION];
    /** DiSNI cannot change a prepared request's opcode: one prepared request per opcode. */
    private final SVCPostSend sendCall;
    private final SVCPostSend writeCall;
    private final SVCPostSend readCall;
    private final ArrayDeque<Operation> pending = new ArrayDeque<>();
    /** Posted operations by wr_id slot: what to release or call back on completion. */
    private final Map<Long, Operation> posted = new HashMap<>();
    private int sendCredits = SEND_QUEUE_DEPTH;
    private boolean disconnectWhenDrained;
    private boolean disconnected;
    private boolean tornDown;

    QueuePair(int id, RdmaCmId cmId, Device device, Worker worker, Portal portal) throws IOException {
      this.id = id;
      this.cmId = cmId;
      this.device = device;
      this.worker = worker;
      String peer;
      try {
        peer = String.valueOf(cm.getDstAddr(cmId));
      } catch (IOException e) {
        peer = "iser#" + id;
      }
      this.remote = peer;
      IbvQPInitAttr attr = new IbvQPInitAttr();
      attr.cap().setMax_send_wr(SEND_QUEUE_DEPTH);
      attr.cap().setMax_recv_wr(RECEIVES_PER_CONNECTION);
      attr.cap().setMax_send_sge(1);
      attr.cap().setMax_recv_sge(1);
      attr.cap().setMax_inline_data(0);
      attr.setQp_type(IbvQP.IBV_QPT_RC);
      attr.setSend_cq(worker.cq);
      attr.setRecv_cq(worker.cq);
      this.qp = cm.createQP(cmId, device.pd, attr);
      this.sendCall = verbs.postSend(qp, List.of(request(IbvSendWR.IBV_WR_SEND)), null);
      this.writeCall = verbs.postSend(qp, List.of(request(IbvSendWR.IBV_WR_RDMA_WRITE)), null);
      this.readCall = verbs.postSend(qp, List.of(request(IbvSendWR.IBV_WR_RDMA_READ)), null);
      for (int i = 0; i < RECEIVES_PER_CONNECTION; i++) {
        int slot = device.messages.take();
        if (slot < 0) {
          releaseReceives(i);
          throw new IOException("iSER message buffers exhausted; refusing the connection");
        }
        receiveSlots[i] = slot;
        IbvSge sge = new IbvSge();
        sge.setAddr(device.messages.address(slot));
        sge.setLength(MESSAGE_SLOT_BYTES);
        sge.setLkey(device.messages.mr.getLkey());
        LinkedList<IbvSge> sges = new LinkedList<>();
        sges.add(sge);
        IbvRecvWR wr = new IbvRecvWR();
        wr.setWr_id(wrId(KIND_RECV, i));
        wr.setSg_list(sges);
        wr.setNum_sge(1);
        receives[i] = verbs.postRecv(qp, List.of(wr), null);
        receives[i].execute();
      }
    }

    private IbvSendWR request(int opcode) {
      IbvSge sge = new IbvSge();
      LinkedList<IbvSge> sges = new LinkedList<>();
      sges.add(sge);
      IbvSendWR wr = new IbvSendWR();
      wr.setOpcode(opcode);
      wr.setSend_flags(IbvSendWR.IBV_SEND_SIGNALED);
      wr.setSg_list(sges);
      wr.setNum_sge(1);
      return wr;
    }

    private long wrId(int kind, int slot) {
      return ((long) id << 40) | ((long) kind << 32) | (slot & 0xffffffffL);
    }

    @Override
    public String remoteAddress() {
      return remote;
    }

    @Override
    public int maxReadLength() {
      return DATA_SLOT_BYTES;
    }

    @Override
    public void send(ByteBuffer message) {
      enqueue(new Operation(KIND_SEND, message, 0, 0, message.remaining(), null));
    }

    @Override
    public void rdmaWrite(ByteBuffer data, long remoteAddress, int rkey) {
      // Data-In pieces are copied into registered slots of at most one slot each.
      while (data.hasRemaining()) {
        int n = Math.min(data.remaining(), DATA_SLOT_BYTES);
        ByteBuffer piece = data.slice(data.position(), n);
        enqueue(new Operation(KIND_WRITE, piece, remoteAddress, rkey, n, null));
        data.position(data.position() + n);
        remoteAddress += n;
      }
    }

    @Override
    public void rdmaRead(long remoteAddress, int rkey, int length, Consumer<ByteBuffer> done) {
      enqueue(new Operation(KIND_READ, null, remoteAddress, rkey, length, done));
    }

    private void enqueue(Operation op) {
      synchronized (this) {
        if (disconnected || tornDown) {
          return;
        }
        pending.add(op);
      }
      pump();
    }

    /** Posts queued operations in order while send-queue entries and slots are free. */
    synchronized void pump() {
      while (!pending.isEmpty() && sendCredits > 0 && !tornDown) {
        Operation op = pending.peek();
        RegisteredPool pool = op.kind == KIND_SEND ? device.messages : device.data;
        int slot = pool.take();
        if (slot < 0) {
          device.waitingForSlots.add(this);
          return;
        }
        try {
          postOne(op, pool, slot);
        } catch (IOException e) {
          pool.give(slot);
          LOG.log(Level.INFO, remote + ": posting failed, disconnecting", e);
          pending.clear();
          disconnectNow();
          return;
        }
        pending.poll();
        sendCredits--;
      }
      if (pending.isEmpty() && posted.isEmpty() && disconnectWhenDrained) {
        disconnectNow();
      }
    }

    private void postOne(Operation op, RegisteredPool pool, int slot) throws IOException {
      if (op.payload != null) {
        pool.slice(slot, op.length).put(op.payload.duplicate());
      }
      long wrId = wrId(op.kind, slot);
      SVCPostSend call =
          op.kind == KIND_SEND ? sendCall : op.kind == KIND_WRITE ? writeCall : readCall;
      SVCPostSend.SendWRMod wr = call.getWrMod(0);
      wr.setWr_id(wrId);
      SVCPostSend.SgeMod sge = wr.getSgeMod(0);
      sge.setAddr(pool.address(slot));
      sge.setLength(op.length);
      sge.setLkey(pool.mr.getLkey());
      wr.getRdmaMod().setRemote_addr(op.remote);
      wr.getRdmaMod().setRkey(op.rkey);
      posted.put(wrId, op);
      try {
        call.execute();
      } catch (IOException e) {
        posted.remove(wrId);
        throw e;
      }
    }

    /** A work request of this connection completed (on its worker thread). */
    void completed(int kind, int slot, IbvWC wc) {
      boolean ok = wc.getStatus() == IbvWC.IbvWcStatus.IBV_WC_SUCCESS.ordinal();
      if (kind == KIND_RECV) {
        if (!ok || tornDown) {
          if (ok || wc.getStatus() != IbvWC.IbvWcStatus.IBV_WC_WR_FLUSH_ERR.ordinal()) {
            LOG.info(() -> remote + ": receive failed with status " + wc.getStatus());
          }
          disconnect();
          return;
        }
        ByteBuffer message = device.messages.slice(receiveSlots[slot], wc.getByte_len());
        iscsi.received(message);
        try {
          synchronized (this) {
            if (!tornDown) {
              receives[slot].execute();
            }
          }
        } catch (IOException e) {
          LOG.log(Level.INFO, remote + ": reposting a receive failed", e);
          disconnect();
        }
        return;
      }
      Operation op;
      synchronized (this) {
        op = posted.remove(wrId(kind, slot));
        sendCredits++;
      }
      if (op == null) {
        return;
      }
      RegisteredPool pool = kind == KIND_SEND ? device.messages : device.data;
      if (ok && kind == KIND_READ) {
        try {
          op.done.accept(pool.slice(slot, op.length).asReadOnlyBuffer());
        } finally {
          pool.give(slot);
        }
      } else {
        pool.give(slot);
      }
      device.slotsReleased();
      if (!ok) {
        if (wc.getStatus() != IbvWC.IbvWcStatus.IBV_WC_WR_FLUSH_ERR.ordinal()) {
          LOG.info(() -> remote + ": " + KIND_NAMES[kind] + " failed with work completion status "
              + wc.getStatus() + ", closing");
        }
        disconnect();
        return;
      }
      pump();
    }

    @Override
    public void disconnect() {
      synchronized (this) {
        if (disconnected) {
          return;
        }
        if (!pending.isEmpty() || !posted.isEmpty()) {
          // Let queued responses (a login reject, a logout response) reach the initiator first.
          disconnectWhenDrained = true;
          return;
        }
      }
      disconnectNow();
    }

    private void disconnectNow() {
      synchronized (this) {
        if (disconnected) {
          return;
        }
        disconnected = true;
      }
      try {
        cm.disconnect(cmId);
      } catch (IOException e) {
        LOG.log(Level.FINE, remote + ": disconnect", e);
      }
    }

    /** After the connection manager reported the end: free everything (on the worker thread). */
    void teardown() {
      synchronized (this) {
        if (tornDown) {
          return;
        }
        tornDown = true;
        disconnected = true;
        for (Map.Entry<Long, Operation> e : posted.entrySet()) {
          int kind = (int) (e.getKey() >>> 32) & 0xff;
          (kind == KIND_SEND ? device.messages : device.data).give((int) (long) e.getKey());
        }
        posted.clear();
        pending.clear();
      }
      connections.remove(id);
      byCmId.remove(objId(cmId));
      try {
        cm.destroyQP(cmId);
      } catch (IOException e) {
        LOG.log(Level.FINE, remote + ": destroying the queue pair", e);
      }
      releaseReceives(RECEIVES_PER_CONNECTION);
      sendCall.free();
      writeCall.free();
      readCall.free();
      try {
        cm.destroyCmId(cmId);
      } catch (IOException e) {
        LOG.log(Level.FINE, remote + ": destroying the connection id", e);
      }
      device.slotsReleased();
      if (iscsi != null) {
        iscsi.transportClosed();
      }
      LOG.info(() -> "iSER connection from " + remote + " closed");
    }

    private void releaseReceives(int count) {
      for (int i = 0; i < count; i++) {
        if (receives[i] != null) {
          receives[i].free();
        }
        device.messages.give(receiveSlots[i]);
      }
    }
  }
}
