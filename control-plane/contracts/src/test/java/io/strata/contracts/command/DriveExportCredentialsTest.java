package io.strata.contracts.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DriveExportCredentialsTest {

  /** The control plane's development key (application.properties of the agent and control plane). */
  static final String DEV_KEY = "c3RyYXRhLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyE=";

  final DriveExportCredentials credentials = new DriveExportCredentials(DEV_KEY);

  @Test
  void theSecretIsTheDocumentedHmacSoThatBothAgentsAgreeWithoutSendingIt() {
    // expected values computed outside Java: Python's hmac/hashlib/base64.urlsafe_b64encode
    assertThat(credentials.secret("a1")).isEqualTo("8ABhRkKPfbHQNyfjBeN4QHxyBmKYcWK8");
    assertThat(credentials.secret("8f0c2d5e-1111-4222-8333-944455556666"))
        .isEqualTo("ZH-tFJdbIOI95Ad1MxoBLRllf837EQqz");
    assertThat(credentials.user("a1")).isEqualTo("a1");
  }

  @Test
  void eachArrayHasItsOwnSecretAndAnotherKeyGivesAnotherOne() {
    assertThat(credentials.secret("a1")).isNotEqualTo(credentials.secret("a2")).hasSize(32);
    String otherKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    assertThat(new DriveExportCredentials(otherKey).secret("a1")).isNotEqualTo(credentials.secret("a1"));
  }

  @Test
  void namesFollowTheFixedScheme() {
    assertThat(DriveExportCredentials.engineInitiatorIqn("a1")).isEqualTo("iqn.2026-01.io.strata:engine.a1");
    assertThat(DriveExportCredentials.driveTargetIqn("d9")).isEqualTo("iqn.2026-01.io.strata:drive.d9");
    assertThat(DriveExportCredentials.LUN).isZero();
  }

  @Test
  void aBadKeyOrAMissingArrayIdIsRefusedClearly() {
    assertThatThrownBy(() -> new DriveExportCredentials("not base64!")).hasMessageContaining("not base64");
    assertThatThrownBy(() -> new DriveExportCredentials("AAAA")).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> credentials.secret(" ")).hasMessageContaining("arrayId is required");
  }
}
