package io.strata.engine.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.fake.MemoryScsiTarget;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.pdu.DataIn;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.scsi.Nexus;
import io.strata.engine.scsi.ScsiCommand;
import io.strata.engine.scsi.ScsiResponse;
import io.strata.engine.scsi.ScsiTarget;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reads and writes run on the delivering thread while quick, on the block I/O threads after a slow one. */
class InlineBlockIoTest {

  /** The memory target; records the thread of every READ, and makes the one at LBA 9 slow. */
  static final class RecordingTarget implements ScsiTarget {
    final MemoryScsiTarget memory = new MemoryScsiTarget(1);
    final List<String> readThreads = new CopyOnWriteArrayList<>();

    @Override
    public ScsiResponse execute(ScsiCommand c) {
      if ((c.cdb()[0] & 0xff) == 0x28) {
        readThreads.add(Thread.currentThread().getName());
        if (c.cdb()[5] == 9) {
          try {
            Thread.sleep(5); // a read that had to go to the disk
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      return memory.execute(c);
    }

    @Override public void lunReset(Nexus nexus, long lun) {}
    @Override public void targetReset(Nexus nexus) {}
    @Override public void nexusOpened(Nexus nexus) {}
    @Override public void nexusClosed(Nexus nexus) {}
  }

  final RecordingTarget scsi = new RecordingTarget();
  final TargetDefinition target = new TargetDefinition(
      "iqn.2026-12.io.strata:t.inline", List.of(BlockIoOffloadTest.PORTAL), Authentication.NONE,
      Set.of(), scsi);
  final SessionRegistry registry =
      new SessionRegistry(new Targets(List.of(target)), TargetLimits.DEFAULT);
  final BlockIoOffloadTest.Wire wire = new BlockIoOffloadTest.Wire();
  final IscsiConnection connection = new IscsiConnection(wire, registry, 2, true);

  @AfterEach
  void close() {
    connection.closed();
  }

  List<DataIn> dataIns() {
    return wire.snapshot().stream().filter(p -> p instanceof DataIn).map(p -> (DataIn) p).toList();
  }

  @Test
  void quickReadsAreAnsweredOnTheDeliveringThreadAndAfterASlowOneTheThreadsTakeOver()
      throws Exception {
    BlockIoOffloadTest.login(connection, target.name());
    String me = Thread.currentThread().getName();
    connection.received(BlockIoOffloadTest.read10(1, 10, 0));
    // Answered before received() returned: no hand-off.
    assertThat(dataIns()).extracting(DataIn::itt).containsExactly(1);
    connection.received(BlockIoOffloadTest.read10(2, 11, 9)); // slow
    assertThat(dataIns()).extracting(DataIn::itt).containsExactly(1, 2);
    connection.received(BlockIoOffloadTest.read10(3, 12, 1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (dataIns().size() < 3 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(dataIns()).extracting(DataIn::itt).containsExactly(1, 2, 3);
    assertThat(scsi.readThreads.subList(0, 2)).containsOnly(me);
    assertThat(scsi.readThreads.get(2)).startsWith("strata-blockio-");
    // StatSN still counts up by one per response, in the order they went out.
    List<Integer> statSns = dataIns().stream().map(DataIn::statSn).toList();
    assertThat(statSns.get(1) - statSns.get(0)).isEqualTo(1);
    assertThat(statSns.get(2) - statSns.get(1)).isEqualTo(1);
  }
}
