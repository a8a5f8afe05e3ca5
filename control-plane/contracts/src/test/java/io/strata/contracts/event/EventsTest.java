package io.strata.contracts.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.Envelope;
import io.strata.contracts.MessageCodec;
import io.strata.contracts.MessageType;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.Commands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventsTest {

  static MessageCodec codec() {
    List<MessageType<?>> all = new ArrayList<>(Events.all());
    all.addAll(Commands.all());
    return new MessageCodec(all, Clock.systemUTC());
  }

  final MessageCodec codec = codec();

  <T> T roundTrip(MessageType<T> type, T payload) throws Exception {
    Envelope e = codec.decode(codec.encode(codec.envelope(type, "agent/1", 1, Events.nodeSubject("1"), payload)));
    assertThat(e.type()).isEqualTo(type.type());
    return codec.payload(e, type);
  }

  @Test
  void everyEventTypeIsDistinctAndRoundTrips() throws Exception {
    assertThat(Events.all().stream().map(MessageType::type).distinct()).hasSize(Events.all().size());
    NodeEnrolled.Drive drive = new NodeEnrolled.Drive("n1-ssd-0", DriveType.SSD, 1, "/d/ssd-0.ssd.img");
    NodeEnrolled enrolled = new NodeEnrolled("1", "zone-a", "127.0.0.1", 2, 24000, List.of(drive),
        new NodeEnrolled.Isolation(true, "v1", true, false, List.of("netns: test traffic stays on loopback")), "0.1.0");
    assertThat(roundTrip(Events.NODE_ENROLLED, enrolled)).isEqualTo(enrolled);
    assertThat(enrolled.drivePortalPort()).isZero();
    NodeEnrolled exporting = new NodeEnrolled("2", "zone-a", "127.0.0.2", 2, 24000, List.of(drive),
        new NodeEnrolled.Isolation(true, "v1", true, false, List.of()), "0.1.0", 3259);
    assertThat(roundTrip(Events.NODE_ENROLLED, exporting).drivePortalPort()).isEqualTo(3259);
    NodeHeartbeat beat = new NodeHeartbeat("1", 1000, 2, 1, 3000);
    assertThat(roundTrip(Events.NODE_HEARTBEAT, beat)).isEqualTo(beat);
    ObjectStatus volume = new ObjectStatus("a1", ObjectStatus.Kind.VOLUME, "v1", ObjectStatus.State.READY, null);
    ArrayStatus status = new ArrayStatus("a1", "1", 4, ArrayStatus.State.ONLINE, null, "127.0.0.1:3261",
        "iqn.2026-11.io.strata:acme.a1", 4242L, 0, "process", List.of(volume));
    assertThat(roundTrip(Events.ARRAY_STATUS, status)).isEqualTo(status);
    assertThat(roundTrip(Events.OBJECT_STATUS, volume)).isEqualTo(volume);
    NodeStateReport report = new NodeStateReport("1", List.of(status), List.of(drive));
    assertThat(roundTrip(Events.NODE_STATE_REPORT, report)).isEqualTo(report);
    CommandResult failed = new CommandResult("c1", "1", "a1", 4, CommandResult.Outcome.FAILED, "drive n1-x not on this node");
    assertThat(roundTrip(Events.COMMAND_FAILED, failed)).isEqualTo(failed);
    CommandResult applied = new CommandResult("c2", "1", "a1", 5, CommandResult.Outcome.APPLIED, null);
    assertThat(roundTrip(Events.COMMAND_APPLIED, applied)).isEqualTo(applied);
  }

  @Test
  void anHaEnginesStatusCarriesItsRoleEpochAndDrivesAwaitingConsent() throws Exception {
    ArrayStatus status = new ArrayStatus("a1", "1", 4, ArrayStatus.State.DEGRADED, "drive d3 does not answer",
        "127.0.0.1:3261", "iqn.x", 4242L, 0, "process", List.of(), ArrayDesiredState.Role.ACTIVE, 7L, List.of("d3"));
    ArrayStatus received = roundTrip(Events.ARRAY_STATUS, status);
    assertThat(received).isEqualTo(status);
    assertThat(received.awaitingDrop()).containsExactly("d3");
    // A sender from before HA: no role, no epoch, nothing awaiting.
    ArrayStatus single = roundTrip(Events.ARRAY_STATUS,
        new ArrayStatus("a1", "1", 4, ArrayStatus.State.ONLINE, null, null, null, null, 0, null, null));
    assertThat(single.role()).isNull();
    assertThat(single.haEpoch()).isNull();
    assertThat(single.awaitingDrop()).isEmpty();
  }

  @Test
  void aHibernatedArrayAndTheEngineSizeTravel() throws Exception {
    ArrayStatus hibernated = new ArrayStatus("a1", "1", 5, ArrayStatus.State.HIBERNATED, null, null, "iqn.x", null, 0,
        null, List.of(), null, null, List.of(), null);
    assertThat(roundTrip(Events.ARRAY_STATUS, hibernated)).isEqualTo(hibernated);
    ArrayStatus resized = new ArrayStatus("a1", "1", 6, ArrayStatus.State.ONLINE, null, "127.0.0.1:3261", "iqn.x",
        4242L, 0, "process", List.of(), null, null, List.of(), "E02");
    assertThat(roundTrip(Events.ARRAY_STATUS, resized).engineSize()).isEqualTo("E02");
    // a sender from before resizes says no size
    assertThat(roundTrip(Events.ARRAY_STATUS,
        new ArrayStatus("a1", "1", 4, ArrayStatus.State.ONLINE, null, null, null, null, 0, null, null)).engineSize())
        .isNull();
  }

  @Test
  void volumeMovesTravelAndAStatusWithoutThemHasNone() throws Exception {
    VolumeMoveStatus copying = new VolumeMoveStatus("v1", "p1", "p2", 30, 120, VolumeMoveStatus.State.COPYING, null);
    VolumeMoveStatus stopped = new VolumeMoveStatus("v2", "p1", "p2", 0, 8, VolumeMoveStatus.State.STOPPED,
        "drive d3 failed");
    ArrayStatus status = new ArrayStatus("a1", "1", 7, ArrayStatus.State.ONLINE, null, "127.0.0.1:3261", "iqn.x",
        4242L, 0, "process", List.of(), null, null, List.of(), "E01", List.of(copying, stopped), List.of());
    assertThat(roundTrip(Events.ARRAY_STATUS, status)).isEqualTo(status);
    assertThat(copying.percent()).isEqualTo(25);
    assertThat(new VolumeMoveStatus("v1", "p1", "p2", 0, 0, VolumeMoveStatus.State.DONE, null).percent())
        .as("a move the engine found done (it no longer knows its extents)").isEqualTo(100);

    // a version-1 status from an agent that predates moves
    String old = "{\"specversion\":\"1.0\",\"id\":\"e1\",\"type\":\"" + Events.ARRAY_STATUS.type() + "\","
        + "\"dataversion\":1,\"source\":\"agent/1\",\"sequence\":1,\"time\":\"2026-11-25T00:00:00Z\","
        + "\"data\":{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"generation\":3,\"state\":\"ONLINE\",\"restarts\":0}}";
    ArrayStatus decoded = codec.payload(codec.decode(old.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        Events.ARRAY_STATUS);
    assertThat(decoded.moves()).isEmpty();
  }

  @Test
  void eachPoolsRebuildAndScrubTravelAndAnOlderSenderSaysNone() throws Exception {
    PoolProgress pool = new PoolProgress("p1",
        new PoolProgress.Rebuild("COPY", 0, "d9", 3L << 20, 12L << 20),
        new PoolProgress.Scrub("s1", "DONE", 12, 12, 3, 1, 2, 0, java.time.Instant.parse("2026-12-07T10:00:00Z"),
            java.time.Instant.parse("2026-12-07T10:05:00Z"), null));
    ArrayStatus status = new ArrayStatus("a1", "1", 7, ArrayStatus.State.ONLINE, null, "127.0.0.1:3261", "iqn.x",
        4242L, 0, "process", List.of(), null, null, List.of(), "E01", List.of(), List.of(pool));
    ArrayStatus received = roundTrip(Events.ARRAY_STATUS, status);
    assertThat(received).isEqualTo(status);
    assertThat(received.pools().get(0).rebuild().ratio()).isEqualTo(0.25);
    assertThat(received.pools().get(0).scrub().unrepairableBlocks()).isEqualTo(2);
    // a sender from before says nothing of its pools
    assertThat(roundTrip(Events.ARRAY_STATUS,
        new ArrayStatus("a1", "1", 4, ArrayStatus.State.ONLINE, null, null, null, null, 0, null, null)).pools())
        .isEmpty();
    String old = "{\"arrayId\":\"a1\",\"nodeId\":\"1\",\"generation\":4,\"state\":\"ONLINE\",\"restarts\":0}";
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readValue(old, ArrayStatus.class).pools()).isEmpty();
  }

  @Test
  void nullListsBecomeEmptySoReceiversNeedNoNullChecks() {
    assertThat(new NodeStateReport("1", null, null).arrays()).isEmpty();
    assertThat(new ArrayStatus("a", "1", 0, ArrayStatus.State.DELETED, null, null, null, null, 0, null, null).objects())
        .isEmpty();
  }
}
