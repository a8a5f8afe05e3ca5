package io.strata.controlplane.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.contracts.command.ArrayDesiredState;
import io.strata.controlplane.outbox.ArrayDesiredState.DriveSpec;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.controlplane.domain.OutboxMessage;
import io.strata.controlplane.rest.StrictJson;
import java.time.Instant;

class DesiredStateCommandsTest {

  final UUID engine = UUID.randomUUID();
  final UUID lender = UUID.randomUUID();
  final UUID former = UUID.randomUUID();

  io.strata.controlplane.outbox.ArrayDesiredState state(boolean present, List<UUID> nodeIds) {
    UUID pool = UUID.randomUUID();
    List<DriveSpec> drives = present
        ? List.of(new DriveSpec(UUID.randomUUID(), engine, "ne-ssd-0", "SSD", 4, pool, "node-e", null),
            new DriveSpec(UUID.randomUUID(), lender, "nl-ssd-0", "SSD", 4, pool, "node-l", "127.0.0.2:3259"))
        : List.of();
    return new io.strata.controlplane.outbox.ArrayDesiredState(UUID.randomUUID(), "acme", "prod", present, "E01", 1, 4,
        "iqn.x:acme.prod", 3340, drives, List.of(), List.of(), List.of(), List.of(), engine, "node-e", nodeIds);
  }

  @Test
  void theCommandGoesToTheEnginesNodeFirstThenTheLendersThenAnyNodeARowNamesEachOnce() {
    var state = state(true, List.of(engine, lender));
    assertThat(DesiredStateCommands.targets(state, List.of(engine, former, lender, engine)))
        .containsExactly(engine, lender, former);
    assertThat(DesiredStateCommands.targets(state, Arrays.asList((UUID) null))).containsExactly(engine, lender);
  }

  @Test
  void aDeleteStillReachesTheNodesThatHoldTheArraysDrives() {
    var deleting = state(false, List.of(engine, lender));
    assertThat(DesiredStateCommands.targets(deleting, List.of(engine))).containsExactly(engine, lender);
    ArrayDesiredState toLender = DesiredStateCommands.translate(deleting, "node-l", 7);
    assertThat(toLender.present()).isFalse();
    assertThat(toLender.nodeId()).isEqualTo("node-l");
    assertThat(toLender.engineNodeId()).isEqualTo("node-e");
  }

  @Test
  void everyNodeGetsTheSameStateNamingTheEnginesNodeAndTheDrivesPortals() {
    var state = state(true, List.of(engine, lender));
    ArrayDesiredState toEngine = DesiredStateCommands.translate(state, "node-e", 7);
    ArrayDesiredState toLender = DesiredStateCommands.translate(state, "node-l", 7);
    assertThat(toEngine.runsEngineOn("node-e")).isTrue();
    assertThat(toLender.runsEngineOn("node-l")).isFalse();
    assertThat(toLender.drives()).isEqualTo(toEngine.drives());
    assertThat(toEngine.drives()).extracting(ArrayDesiredState.DriveSpec::nodeId).containsExactly("node-e", "node-l");
    assertThat(toEngine.drives()).extracting(ArrayDesiredState.DriveSpec::exportPortal)
        .containsExactly(null, "127.0.0.2:3259");
  }

  @Test
  void bothEnginesOfAnHaArrayGetTheSameHaSpecAndAStoredRowWithoutOneIsSingleEngine() throws Exception {
    var single = state(true, List.of(engine, lender));
    var ha = new io.strata.controlplane.outbox.ArrayDesiredState(single.arrayId(), "acme", "prod", true, "E01", 1, 4,
        "iqn.x:acme.prod", 3340, single.drives(), List.of(), List.of(), List.of(), List.of(), engine, "node-e",
        List.of(engine, lender), new io.strata.controlplane.outbox.ArrayDesiredState.Ha(3,
            List.of(new io.strata.controlplane.outbox.ArrayDesiredState.Slot(engine, "node-e", "ACTIVE", "127.0.0.1", 3340, 1),
                new io.strata.controlplane.outbox.ArrayDesiredState.Slot(lender, "node-l", "STANDBY", "127.0.0.2", 3341, 2)),
            List.of("node-l")));
    ArrayDesiredState toActive = DesiredStateCommands.translate(ha, "node-e", 7);
    ArrayDesiredState toStandby = DesiredStateCommands.translate(ha, "node-l", 7);
    assertThat(toStandby.ha()).isEqualTo(toActive.ha());
    assertThat(toActive.ha().epoch()).isEqualTo(3);
    assertThat(toActive.ha().active().nodeId()).isEqualTo("node-e");
    assertThat(toActive.ha().slotOn("node-l")).isEqualTo(
        new ArrayDesiredState.EngineSlot("node-l", ArrayDesiredState.Role.STANDBY, "127.0.0.2", 3341, 2));
    assertThat(toActive.ha().outdatedNodeIds()).containsExactly("node-l");
    assertThat(DesiredStateCommands.translate(single, "node-e", 7).ha()).isNull();

    // a row stored before HA (no "ha") is relayed as a single-engine array
    ObjectMapper json = new ObjectMapper().findAndRegisterModules();
    ObjectNode stored = json.valueToTree(single);
    stored.remove("ha");
    OutboxMessage row = new OutboxMessage();
    row.id = UUID.randomUUID();
    row.createdAt = Instant.parse("2026-12-07T00:00:00Z");
    row.payload = json.writeValueAsString(stored);
    assertThat(DesiredStateCommands.envelope(row, "node-e", json).data().get("ha").isNull()).isTrue();
  }

  @Test
  void aStoredStateWithAFieldThisReleaseDoesNotKnowIsStillRelayed() throws Exception {
    ObjectMapper strict = new ObjectMapper().findAndRegisterModules();
    new StrictJson().customize(strict);
    var state = state(true, List.of(engine, lender));
    ObjectNode stored = strict.valueToTree(state);
    stored.put("fieldOfAnOlderRelease", 1);
    stored.put("portalPort", "3340"); // strict requests refuse a number in quotes; a stored row must still read
    OutboxMessage row = new OutboxMessage();
    row.id = UUID.randomUUID();
    row.createdAt = Instant.parse("2026-12-07T00:00:00Z");
    row.payload = strict.writeValueAsString(stored);

    var envelope = DesiredStateCommands.envelope(row, "node-e", strict);

    assertThat(envelope.data().get("arrayId").asText()).isEqualTo(state.arrayId().toString());
  }
}
