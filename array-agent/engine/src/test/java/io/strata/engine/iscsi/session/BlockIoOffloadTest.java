package io.strata.engine.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.fake.MemoryScsiTarget;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.login.TextParameters;
import io.strata.engine.iscsi.pdu.DataIn;
import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.iscsi.pdu.TaskManagementRequest;
import io.strata.engine.iscsi.pdu.TaskManagementResponse;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import io.strata.engine.transport.PduConnection;
import io.strata.engine.transport.Portal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reads and writes on the block I/O threads: concurrency, response delivery, ABORT TASK. */
class BlockIoOffloadTest {
  static final Portal PORTAL = new Portal("127.0.0.1", 3260, 1);

  /** A wire any thread may write to; sendCompleted runs on the block I/O thread here. */
  static final class Wire implements PduConnection {
    final List<Pdu> sent = new ArrayList<>();

    @Override public Portal portal() { return PORTAL; }
    @Override public String remoteAddress() { return "test"; }
    @Override public void framing(DecodeLimits limits) {}
    @Override public synchronized void write(Pdu pdu) { sent.add(pdu); }
    @Override public void flush() {}
    @Override public void close() {}

    synchronized List<Pdu> snapshot() {
      return new ArrayList<>(sent);
    }
  }

  /** The memory target, but READs wait at a gate until the test opens it. */
  static final class GatedTarget implements ScsiTarget {
    final MemoryScsiTarget memory = new MemoryScsiTarget(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch readsWaiting = new CountDownLatch(2);
    final AtomicBoolean readFinished = new AtomicBoolean();

    @Override
    public ScsiResponse execute(ScsiCommand c) {
      if ((c.cdb()[0] & 0xff) == 0x28) {
        readsWaiting.countDown();
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ScsiResponse r = memory.execute(c);
        readFinished.set(true);
        return r;
      }
      return memory.execute(c);
    }

    @Override public void lunReset(io.strata.engine.scsi.Nexus nexus, long lun) {}
    @Override public void targetReset(io.strata.engine.scsi.Nexus nexus) {}
    @Override public void nexusOpened(io.strata.engine.scsi.Nexus nexus) {}
    @Override public void nexusClosed(io.strata.engine.scsi.Nexus nexus) {}
  }

  final GatedTarget scsi = new GatedTarget();
  final TargetDefinition target = new TargetDefinition(
      "iqn.2026-11.io.strata:t.offload", List.of(PORTAL), Authentication.NONE, Set.of(), scsi);
  final SessionRegistry registry =
      new SessionRegistry(new Targets(List.of(target)), TargetLimits.DEFAULT);
  final Wire wire = new Wire();
  final IscsiConnection connection = new IscsiConnection(wire, registry, 2);

  @AfterEach
  void close() {
    scsi.gate.countDown();
    connection.closed();
  }

  void login() {
    login(connection, target.name());
  }

  /** Logs {@code connection} in to {@code targetName} in one step (no negotiation). */
  static void login(IscsiConnection connection, String targetName) {
    LinkedHashMap<String, String> keys = new LinkedHashMap<>();
    keys.put("InitiatorName", "iqn.2026-11.io.strata:host1");
    keys.put("TargetName", targetName);
    keys.put("SessionType", "Normal");
    connection.received(new LoginRequest(true, false, 1, 3, 0, 0, 0x23d000000001L, 0, 1, 0, 10, 0,
        ByteBuffer.wrap(TextParameters.encode(keys))));
  }

  static ScsiCommandPdu read10(int itt, int cmdSn, int lba) {
    byte[] cdb = new byte[16];
    cdb[0] = 0x28;
    cdb[5] = (byte) lba;
    cdb[8] = 1;
    return new ScsiCommandPdu(false, true, true, false, 1, 0, itt, 512, cmdSn, 0, cdb, Pdu.NO_DATA);
  }

  List<DataIn> dataIns() {
    return wire.snapshot().stream().filter(p -> p instanceof DataIn).map(p -> (DataIn) p).toList();
  }

  @Test
  void readsRunTogetherOffTheIoThreadAndAreAnsweredWhenDone() throws Exception {
    login();
    connection.received(read10(1, 10, 0));
    connection.received(read10(2, 11, 1));
    // Both reads are under way at once, and received() returned without waiting for them.
    assertThat(scsi.readsWaiting.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(dataIns()).isEmpty();
    scsi.gate.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (dataIns().size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(dataIns()).extracting(DataIn::itt).containsExactlyInAnyOrder(1, 2);
    assertThat(dataIns()).allSatisfy(d -> assertThat(d.statusPresent()).isTrue());
    // StatSN still counts up by one per response.
    List<Integer> statSns = dataIns().stream().map(DataIn::statSn).toList();
    assertThat(Math.abs(statSns.get(1) - statSns.get(0))).isEqualTo(1);
  }

  @Test
  void abortedReadIsWaitedForAndNeverAnsweredAfterTheTmfResponse() throws Exception {
    login();
    connection.received(read10(7, 10, 0));
    connection.received(read10(8, 11, 1));
    assertThat(scsi.readsWaiting.await(5, TimeUnit.SECONDS)).isTrue();
    // Open the gate shortly after the abort starts waiting: the abort must not answer before.
    new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      scsi.gate.countDown();
    }).start();
    connection.received(new TaskManagementRequest(true, TaskManagementRequest.ABORT_TASK, 0, 99, 7,
        12, 0, 10, 0));
    assertThat(scsi.readFinished).as("the read finished before the TMF response").isTrue();
    Thread.sleep(300); // give a wrongly sent response time to show up
    List<Pdu> sent = wire.snapshot();
    int tmf = -1;
    for (int i = 0; i < sent.size(); i++) {
      if (sent.get(i) instanceof TaskManagementResponse r) {
        assertThat(r.response()).isEqualTo(TaskManagementResponse.COMPLETE);
        tmf = i;
      }
    }
    assertThat(tmf).isNotNegative();
    assertThat(dataIns()).extracting(DataIn::itt).doesNotContain(7).contains(8);
  }
}
