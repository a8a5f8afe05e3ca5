package io.strata.contracts.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.UnreadableMessageException;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.LunSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.ServerSpec;
import io.strata.contracts.command.ArrayDesiredState.VolumeSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArrayDesiredStateTest {

  final MessageCodec codec = MessageCodec.of(Commands.ARRAY_DESIRED_STATE);

  static ArrayDesiredState sample() {
    return new ArrayDesiredState(
        "a1", "1", "acme", 3, true, new EngineSpec("E01", 1, 4096), 3261, "iqn.2026-11.io.strata:acme.a1",
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 1, "p1"),
            new DriveSpec("d2", "n1-hdd-0", DriveType.HDD, 4, "p1")),
        List.of(new PoolSpec("p1", "pool", DriveType.HDD, "MIRROR", "WRITE_BACK", true, 4)),
        List.of(new VolumeSpec("v1", "p1", "vol", 1, true, null, null, List.of())),
        List.of(new ServerSpec("s1", "iqn.2026-11.test:host", "host", "dev1:xyz", null, null)),
        List.of(new LunSpec("t1", "v1", "s1", 0, false)));
  }

  @Test
  void travelsInAnEnvelopeAndComesBackEqual() throws Exception {
    ArrayDesiredState sent = sample();
    Envelope envelope = codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, Commands.arraySubject("a1"), sent);
    Envelope received = codec.decode(codec.encode(envelope));
    assertThat(received.type()).isEqualTo("io.strata.command.array.desired-state");
    assertThat(received.subject()).isEqualTo("array/a1");
    assertThat(codec.payload(received, Commands.ARRAY_DESIRED_STATE)).isEqualTo(sent);
  }

  @Test
  void aTierPinTravelsAndAMessageWithoutOneMeansNoPin() throws Exception {
    ArrayDesiredState base = sample();
    VolumeSpec pinned = new VolumeSpec("v1", "p1", "vol", 1, true, null, null, List.of(), null, null, DriveType.SSD);
    ArrayDesiredState sent = new ArrayDesiredState(base.arrayId(), base.nodeId(), base.tenant(), base.generation(),
        true, base.engine(), base.portalPort(), base.targetIqn(), base.drives(), base.pools(), List.of(pinned),
        base.servers(), base.luns());
    byte[] wire = codec.encode(codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, "array/a1", sent));
    assertThat(new String(wire, StandardCharsets.UTF_8)).contains("\"tierPin\":\"SSD\"");
    assertThat(codec.payload(codec.decode(wire), Commands.ARRAY_DESIRED_STATE).volumes().get(0).tierPin())
        .isEqualTo(DriveType.SSD);

    // A version-1 message from a sender that predates the field: no pin.
    String old = "{\"specversion\":\"1.0\",\"id\":\"c1\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":1,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
        + "\"data\":{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"tenant\":\"acme\",\"generation\":9,\"present\":false,"
        + "\"volumes\":[{\"volumeId\":\"v1\",\"poolId\":\"p1\",\"sizeGib\":1,\"thin\":true}]}}";
    ArrayDesiredState decoded = codec.payload(codec.decode(old.getBytes(StandardCharsets.UTF_8)), Commands.ARRAY_DESIRED_STATE);
    assertThat(decoded.volumes().get(0).tierPin()).isNull();
    assertThat(decoded.volumes().get(0).recycled()).as("a sender from before the recycle bin").isFalse();
  }

  @Test
  void aVolumeInTheRecycleBinTravelsMarked() throws Exception {
    ArrayDesiredState base = sample();
    VolumeSpec binned = new VolumeSpec("v1", "p1", "vol", 1, true, null, null, List.of(), null, null, null, true);
    ArrayDesiredState sent = new ArrayDesiredState(base.arrayId(), base.nodeId(), base.tenant(), base.generation(),
        true, base.engine(), base.portalPort(), base.targetIqn(), base.drives(), base.pools(), List.of(binned),
        base.servers(), List.of());
    byte[] wire = codec.encode(codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, "array/a1", sent));
    assertThat(new String(wire, StandardCharsets.UTF_8)).contains("\"recycled\":true");
    assertThat(codec.payload(codec.decode(wire), Commands.ARRAY_DESIRED_STATE)).isEqualTo(sent);
  }

  @Test
  void aMovingVolumeTravelsWithItsOldPoolAndOlderMessagesMeanNotMoving() throws Exception {
    ArrayDesiredState base = sample();
    VolumeSpec moving = new VolumeSpec("v1", "p2", "vol", 1, true, null, null, List.of(), null, null, null, false,
        "p1");
    ArrayDesiredState sent = new ArrayDesiredState(base.arrayId(), base.nodeId(), base.tenant(), base.generation(),
        true, base.engine(), base.portalPort(), base.targetIqn(), base.drives(), base.pools(), List.of(moving),
        base.servers(), base.luns());
    byte[] wire = codec.encode(codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, "array/a1", sent));
    assertThat(new String(wire, StandardCharsets.UTF_8)).contains("\"moveFromPoolId\":\"p1\"");
    assertThat(codec.payload(codec.decode(wire), Commands.ARRAY_DESIRED_STATE)).isEqualTo(sent);
    assertThat(base.volumes().get(0).moveFromPoolId()).isNull();
    assertThatThrownBy(() -> new VolumeSpec("v1", "p1", "vol", 1, true, null, null, List.of(), null, null, null,
        false, "p1")).hasMessageContaining("cannot move from its own pool p1");
  }

  @Test
  void hibernationTravelsAndAMessageWithoutItMeansTheEngineRuns() throws Exception {
    ArrayDesiredState sent = sample().withHibernated(true);
    byte[] wire = codec.encode(codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, "array/a1", sent));
    assertThat(new String(wire, StandardCharsets.UTF_8)).contains("\"hibernated\":true");
    assertThat(codec.payload(codec.decode(wire), Commands.ARRAY_DESIRED_STATE)).isEqualTo(sent);
    // a version-1 message from a sender that predates the field: the engine runs
    String old = "{\"specversion\":\"1.0\",\"id\":\"c1\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":1,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
        + "\"data\":{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"tenant\":\"acme\",\"generation\":9,\"present\":true,"
        + "\"engine\":{\"size\":\"E01\",\"vcpus\":1,\"memoryMib\":4096},\"portalPort\":3261,"
        + "\"targetIqn\":\"iqn.2026-11.io.strata:acme.a1\"}}";
    assertThat(codec.payload(codec.decode(old.getBytes(StandardCharsets.UTF_8)), Commands.ARRAY_DESIRED_STATE)
        .hibernated()).isFalse();
  }

  @Test
  void aDeleteNeedsNoEngineAndListsDefaultToEmpty() throws Exception {
    String json = "{\"specversion\":\"1.0\",\"id\":\"c1\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":1,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
        + "\"data\":{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"tenant\":\"acme\",\"generation\":9,\"present\":false}}";
    ArrayDesiredState delete = codec.payload(codec.decode(json.getBytes(StandardCharsets.UTF_8)), Commands.ARRAY_DESIRED_STATE);
    assertThat(delete.present()).isFalse();
    assertThat(delete.volumes()).isEmpty();
    assertThat(delete.luns()).isEmpty();
  }

  @Test
  void aPresentArrayWithoutPortOrIqnIsRefusedWithTheFieldNamed() throws Exception {
    assertThatThrownBy(() -> new ArrayDesiredState("a1", "1", "acme", 1, true, new EngineSpec("E01", 1, 4096), 0,
            "iqn.x", null, null, null, null, null))
        .hasMessageContaining("portalPort");
    String json = "{\"specversion\":\"1.0\",\"id\":\"c2\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":1,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
        + "\"data\":{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"tenant\":\"acme\",\"generation\":1,\"present\":true,"
        + "\"engine\":{\"size\":\"E01\",\"vcpus\":1,\"memoryMib\":4096},\"portalPort\":3261}}";
    Envelope envelope = codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> codec.payload(envelope, Commands.ARRAY_DESIRED_STATE))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("targetIqn is required");
  }

  @Test
  void aCloneAndARollbackTravelAndComeBackEqual() throws Exception {
    ArrayDesiredState base = sample();
    VolumeSpec clone = new VolumeSpec("v2", "p1", "clone", 1, true, null, null, List.of(), "s9",
        new ArrayDesiredState.RollbackSpec("op-7", "s9"));
    ArrayDesiredState sent = new ArrayDesiredState(base.arrayId(), base.nodeId(), base.tenant(), 4, true,
        base.engine(), base.portalPort(), base.targetIqn(), base.drives(), base.pools(),
        List.of(base.volumes().get(0), clone), base.servers(), base.luns());
    Envelope envelope = codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 2, Commands.arraySubject("a1"), sent);
    ArrayDesiredState received = codec.payload(codec.decode(codec.encode(envelope)), Commands.ARRAY_DESIRED_STATE);
    assertThat(received).isEqualTo(sent);
    assertThat(received.volumes().get(1).cloneOfSnapshotId()).isEqualTo("s9");
    assertThat(received.volumes().get(1).rollback().requestId()).isEqualTo("op-7");
    assertThat(received.volumes().get(0).rollback()).isNull();
  }

  @Test
  void drivesOfOtherNodesTravelWithTheirNodeAndExportPortal() throws Exception {
    ArrayDesiredState base = sample();
    ArrayDesiredState sent = new ArrayDesiredState(base.arrayId(), "2", base.tenant(), 5, true, base.engine(),
        base.portalPort(), base.targetIqn(),
        List.of(new DriveSpec("d1", "n1-ssd-0", DriveType.SSD, 1, "p1", "1", null),
            new DriveSpec("d3", "n2-ssd-0", DriveType.SSD, 1, "p1", "2", "127.0.0.2:3259")),
        base.pools(), base.volumes(), base.servers(), base.luns(), "1");
    Envelope envelope = codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 3, Commands.arraySubject("a1"), sent);
    ArrayDesiredState received = codec.payload(codec.decode(codec.encode(envelope)), Commands.ARRAY_DESIRED_STATE);
    assertThat(received).isEqualTo(sent);
    assertThat(received.runsEngineOn("1")).isTrue();
    assertThat(received.runsEngineOn("2")).isFalse();
    assertThat(received.drives().get(1).exportPortal()).isEqualTo("127.0.0.2:3259");
    assertThat(received.drives().get(1).isOn("2", received)).isTrue();
  }

  @Test
  void aCommandOfAnOlderSenderWithoutEngineNodeOrDriveNodesMeansEveryDriveIsLocal() throws Exception {
    String json = "{\"specversion\":\"1.0\",\"id\":\"c4\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":1,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
        + "\"data\":{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"tenant\":\"acme\",\"generation\":1,\"present\":true,"
        + "\"engine\":{\"size\":\"E01\",\"vcpus\":1,\"memoryMib\":4096},\"portalPort\":3261,\"targetIqn\":\"iqn.x\","
        + "\"drives\":[{\"driveId\":\"d1\",\"serial\":\"n1-ssd-0\",\"type\":\"SSD\",\"capacityGib\":1}]}}";
    ArrayDesiredState old = codec.payload(codec.decode(json.getBytes(StandardCharsets.UTF_8)), Commands.ARRAY_DESIRED_STATE);
    assertThat(old.engineNodeId()).isNull();
    assertThat(old.runsEngineOn("1")).isTrue();
    assertThat(old.drives().get(0).exportPortal()).isNull();
    assertThat(old.drives().get(0).isOn("1", old)).isTrue();
  }

  static ArrayDesiredState highlyAvailable(ArrayDesiredState base) {
    ArrayDesiredState.HaSpec ha = new ArrayDesiredState.HaSpec(7, List.of(
        new ArrayDesiredState.EngineSlot("1", ArrayDesiredState.Role.ACTIVE, "127.0.0.1", 3261, 1),
        new ArrayDesiredState.EngineSlot("2", ArrayDesiredState.Role.STANDBY, "127.0.0.2", 3262, 2)),
        List.of("3"));
    return new ArrayDesiredState(base.arrayId(), base.nodeId(), base.tenant(), base.generation(), true, base.engine(),
        base.portalPort(), base.targetIqn(), base.drives(), base.pools(), base.volumes(), base.servers(), base.luns(),
        "1", ha);
  }

  @Test
  void theHaSpecTravelsWithEpochSlotsAndOutdatedNodes() throws Exception {
    ArrayDesiredState sent = highlyAvailable(sample());
    byte[] wire = codec.encode(codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, "array/a1", sent));
    assertThat(new String(wire, StandardCharsets.UTF_8))
        .contains("\"ha\":{\"epoch\":7,\"engines\":[{\"nodeId\":\"1\",\"role\":\"ACTIVE\",\"address\":\"127.0.0.1\","
            + "\"portalPort\":3261,\"portGroup\":1}")
        .contains("\"outdatedNodeIds\":[\"3\"]");
    ArrayDesiredState received = codec.payload(codec.decode(wire), Commands.ARRAY_DESIRED_STATE);
    assertThat(received).isEqualTo(sent);
    assertThat(received.highlyAvailable()).isTrue();
    assertThat(received.ha().active().nodeId()).isEqualTo("1");
    assertThat(received.ha().slotOn("2").role()).isEqualTo(ArrayDesiredState.Role.STANDBY);
    assertThat(received.ha().slotOn("3")).isNull();
  }

  @Test
  void aSingleEngineArrayHasNoHaAndAnOlderMessageReadsAsSingleEngine() throws Exception {
    ArrayDesiredState sent = sample();
    byte[] wire = codec.encode(codec.envelope(Commands.ARRAY_DESIRED_STATE, "control-plane", 1, "array/a1", sent));
    assertThat(codec.payload(codec.decode(wire), Commands.ARRAY_DESIRED_STATE).ha()).isNull();
    assertThat(sent.highlyAvailable()).isFalse();
  }

  @Test
  void anHaSpecWithTwoActivesOrOneNodeTwiceOrABadPortGroupIsRefused() {
    var active1 = new ArrayDesiredState.EngineSlot("1", ArrayDesiredState.Role.ACTIVE, "a", 3261, 1);
    var active2 = new ArrayDesiredState.EngineSlot("2", ArrayDesiredState.Role.ACTIVE, "b", 3261, 2);
    var standby1 = new ArrayDesiredState.EngineSlot("1", ArrayDesiredState.Role.STANDBY, "a", 3262, 2);
    assertThatThrownBy(() -> new ArrayDesiredState.HaSpec(1, List.of(active1, active2), null))
        .hasMessageContaining("at most one ACTIVE");
    assertThatThrownBy(() -> new ArrayDesiredState.HaSpec(1, List.of(active1, standby1), null))
        .hasMessageContaining("distinct nodes");
    assertThatThrownBy(() -> new ArrayDesiredState.EngineSlot("1", ArrayDesiredState.Role.ACTIVE, "a", 3261, 3))
        .hasMessageContaining("ha.engines.portGroup");
    assertThat(new ArrayDesiredState.HaSpec(2, List.of(standby1), null).active()).isNull();
  }

  @Test
  void aRollbackWithoutASnapshotIsRefusedWithTheFieldNamed() {
    assertThatThrownBy(() -> new ArrayDesiredState.RollbackSpec("op-1", " "))
        .hasMessageContaining("volume.rollback.snapshotId");
  }

  @Test
  void aLunOutsideTheScsiRangeIsRefused() {
    assertThatThrownBy(() -> new LunSpec("t", "v", "s", 16384, false)).hasMessageContaining("lun must be 0..16383");
  }

  @Test
  void aFutureCommandVersionIsRefusedNotGuessed() {
    String json = "{\"specversion\":\"1.0\",\"id\":\"c3\",\"type\":\"io.strata.command.array.desired-state\","
        + "\"dataversion\":2,\"source\":\"cp\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\",\"data\":{}}";
    assertThatThrownBy(() -> codec.decode(json.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UnreadableMessageException.class)
        .hasMessageContaining("version 2 is not readable");
  }
}
