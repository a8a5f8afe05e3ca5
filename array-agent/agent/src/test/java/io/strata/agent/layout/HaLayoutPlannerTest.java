package io.strata.agent.layout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.agent.inventory.Drive;
import io.strata.contracts.command.ArrayDesiredState;
import io.strata.contracts.command.ArrayDesiredState.DriveRole;
import io.strata.contracts.command.ArrayDesiredState.DriveSpec;
import io.strata.contracts.command.ArrayDesiredState.DriveType;
import io.strata.contracts.command.ArrayDesiredState.EngineSlot;
import io.strata.contracts.command.ArrayDesiredState.EngineSpec;
import io.strata.contracts.command.ArrayDesiredState.HaSpec;
import io.strata.contracts.command.ArrayDesiredState.PoolSpec;
import io.strata.contracts.command.ArrayDesiredState.Role;
import io.strata.contracts.command.DriveExportCredentials;
import io.strata.contracts.command.SealedSecret;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A highly available array seen from each of its two engine nodes: the same desired state gives
 * each node a layout with its own drives local and the peer's remote, its own slot in the
 * {@code ha} block, and the pool's mirrored cache and tier naming both SSDs.
 */
class HaLayoutPlannerTest {

  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
  final LayoutPlanner planner =
      new LayoutPlanner(new SealedSecret(KEY, "k1"), new DriveExportCredentials(KEY));

  /** Node 1 holds n1-*, node 2 n2-*, node 3 (a lender, outdated here) n3-hdd-0. */
  static List<DriveSpec> drives() {
    return List.of(
        drive("d1", "n1-hdd-0", DriveType.HDD, "1", DriveRole.MEMBER),
        drive("d2", "n2-hdd-0", DriveType.HDD, "2", DriveRole.MEMBER),
        drive("d3", "n3-hdd-0", DriveType.HDD, "3", DriveRole.MEMBER),
        drive("d4", "n2-ssd-0", DriveType.SSD, "2", DriveRole.CACHE),
        drive("d5", "n1-ssd-0", DriveType.SSD, "1", DriveRole.CACHE),
        drive("d6", "n1-ssd-1", DriveType.SSD, "1", DriveRole.TIER),
        drive("d7", "n2-ssd-1", DriveType.SSD, "2", DriveRole.TIER));
  }

  static DriveSpec drive(String id, String serial, DriveType type, String node, DriveRole role) {
    return new DriveSpec(id, serial, type, type == DriveType.SSD ? 4 : 16, "p1", node,
        "127.0.0." + node + ":3259", role);
  }

  static ArrayDesiredState desiredFor(String node, long epoch, Role roleOf1, List<String> outdated) {
    Role roleOf2 = roleOf1 == Role.ACTIVE ? Role.STANDBY : Role.ACTIVE;
    HaSpec ha = new HaSpec(epoch, List.of(new EngineSlot("1", roleOf1, "127.0.0.1", 3300, 1),
        new EngineSlot("2", roleOf2, "127.0.0.2", 3300, 2)), outdated);
    return new ArrayDesiredState("a1", node, "acme", 3, true, new EngineSpec("E01", 1, 1024), 3300,
        "iqn.2026-11.io.strata:acme.a1", drives(),
        List.of(new PoolSpec("p1", "cached", DriveType.HDD, "RAID1", "WRITE_BACK", true, 16)), List.of(), List.of(),
        List.of(), roleOf1 == Role.ACTIVE ? "1" : "2", ha);
  }

  static Map<String, Drive> drivesOfNode(String node) {
    Map<String, Drive> found = new HashMap<>();
    drives().stream().filter(d -> d.nodeId().equals(node)).forEach(d -> found.put(d.serial(),
        new Drive(d.serial(), d.type(), d.capacityGib() << 30, Path.of("/drives/" + d.serial() + ".img"))));
    return found;
  }

  static EngineLayout.Drive drive(EngineLayout layout, String name) {
    return layout.drives().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void eachEngineNodePlansItsOwnDrivesLocalThePeersRemoteAndItsOwnSlot() {
    EngineLayout active = planner.plan(desiredFor("1", 7, Role.ACTIVE, List.of("3")), drivesOfNode("1"), Set.of())
        .layout();
    EngineLayout standby = planner.plan(desiredFor("2", 7, Role.ACTIVE, List.of("3")), drivesOfNode("2"), Set.of())
        .layout();

    assertThat(drive(active, "n1-hdd-0").path()).isEqualTo("/drives/n1-hdd-0.img");
    assertThat(drive(active, "n2-hdd-0").remote().portal()).isEqualTo("127.0.0.2:3259");
    assertThat(drive(standby, "n2-hdd-0").path()).isEqualTo("/drives/n2-hdd-0.img");
    assertThat(drive(standby, "n1-hdd-0").remote().portal()).isEqualTo("127.0.0.1:3259");
    assertThat(drive(standby, "n3-hdd-0").remote()).isNotNull();

    assertThat(active.ha()).isEqualTo(new EngineLayout.Ha("ACTIVE", 7, 1, 2, List.of("n3-hdd-0")));
    assertThat(standby.ha()).isEqualTo(new EngineLayout.Ha("STANDBY", 7, 2, 1, List.of("n3-hdd-0")));
    // the same pool on both sides, so that either engine opens the same array
    assertThat(active.pools()).isEqualTo(standby.pools());
  }

  @Test
  void aMirroredCacheAndTierNameBothSsdsOfTheirRoleInTheFileFormatTheEngineReads() throws Exception {
    var plan = planner.plan(desiredFor("1", 1, Role.ACTIVE, List.of()), drivesOfNode("1"), Set.of());
    EngineLayout.Pool pool = plan.layout().pools().get(0);
    assertThat(plan.problems()).isEmpty();
    assertThat(pool.drives()).containsExactly("n1-hdd-0", "n2-hdd-0", "n3-hdd-0");
    assertThat(pool.cache().ssds()).containsExactly("n1-ssd-0", "n2-ssd-0");
    assertThat(pool.tiering().ssds()).containsExactly("n1-ssd-1", "n2-ssd-1");

    JsonNode file = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(plan.layout()));
    JsonNode cache = file.path("pools").get(0).path("cache");
    assertThat(cache.path("drives").toString()).isEqualTo("[\"n1-ssd-0\",\"n2-ssd-0\"]");
    assertThat(cache.has("drive")).isFalse();
    assertThat(cache.path("mode").asText()).isEqualTo("write-back");
    assertThat(file.path("pools").get(0).path("tiering").path("drives").size()).isEqualTo(2);
    assertThat(file.path("ha").toString())
        .isEqualTo("{\"role\":\"ACTIVE\",\"epoch\":1,\"portGroup\":1,\"peerPortGroup\":2,\"outdated\":[]}");
  }

  @Test
  void aSingleEngineArrayKeepsOneLocalCacheSsdAndNoHaBlock() throws Exception {
    ArrayDesiredState ha = desiredFor("1", 1, Role.ACTIVE, List.of());
    ArrayDesiredState single = new ArrayDesiredState(ha.arrayId(), "1", ha.tenant(), 1, true, ha.engine(),
        ha.portalPort(), ha.targetIqn(), ha.drives(), ha.pools(), List.of(), List.of(), List.of(), "1");
    var plan = planner.plan(single, drivesOfNode("1"), Set.of());
    EngineLayout.Pool pool = plan.layout().pools().get(0);
    assertThat(pool.cache()).isEqualTo(new EngineLayout.Cache("n1-ssd-0", "write-back"));
    assertThat(plan.layout().ha()).isNull();
    assertThat(new ObjectMapper().writeValueAsString(plan.layout())).doesNotContain("\"ha\"").doesNotContain("drives\":[\"n1-ssd");
  }
}
