package io.strata.controlplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Refused requests are named the way the services name their changes. */
class AuditActionsTest {
  static final String ID = "0b7e1f0e-4a52-4f7e-9a43-3c1b3a0e8d11";

  @Test
  void namesTheChangeFromMethodAndPath() {
    assertThat(AuditActions.of("POST", "/api/v1/servers")).isEqualTo("server.create");
    assertThat(AuditActions.of("PUT", "/api/v1/servers/" + ID + "/credentials")).isEqualTo("server.credentials");
    assertThat(AuditActions.of("POST", "/api/v1/volumes/" + ID + "/rollback")).isEqualTo("volume.rollback");
    assertThat(AuditActions.of("DELETE", "/api/v1/arrays/" + ID)).isEqualTo("array.delete");
    assertThat(AuditActions.of("PATCH", "/api/v1/volumes/" + ID)).isEqualTo("volume.update");
    assertThat(AuditActions.of("POST", "/api/v1/snapshot-policies")).isEqualTo("snapshot-policy.create");
    assertThat(AuditActions.of("PUT", "/api/v1/admin/tenants/" + ID + "/quota")).isEqualTo("tenant.quota");
    assertThat(AuditActions.of("POST", "/api/v1/admin/nodes/" + ID + "/drain")).isEqualTo("node.drain");
    assertThat(AuditActions.of("DELETE", "/api/v1/arrays/" + ID + "/drives/" + ID)).isEqualTo("array.drives.delete");
  }

  @Test
  void theObjectIsThePathsLastId() {
    assertThat(AuditActions.target("/api/v1/arrays/" + ID + "/drives")).isEqualTo(UUID.fromString(ID));
    assertThat(AuditActions.target("/api/v1/servers")).isNull();
    assertThat(AuditActions.targetType("/api/v1/admin/nodes/" + ID)).isEqualTo("node");
  }
}
