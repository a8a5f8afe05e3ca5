package io.strata.controlplane.security;

import static io.strata.controlplane.security.SealingKeyPolicy.DEVELOPMENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.LaunchMode;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SealingKeyPolicyTest {
  static final String OWN_KEY = randomKey();

  @Test
  void aProductionRunRefusesTheDevelopmentKey() {
    assertThatThrownBy(() -> SealingKeyPolicy.keyFor(LaunchMode.NORMAL, Optional.of(DEVELOPMENT_KEY)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("development key");
  }

  @Test
  void aProductionRunRefusesToStartWithoutAKey() {
    assertThatThrownBy(() -> SealingKeyPolicy.keyFor(LaunchMode.NORMAL, Optional.empty()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("STRATA_SECRETS_KEY");
    assertThatThrownBy(() -> SealingKeyPolicy.keyFor(LaunchMode.NORMAL, Optional.of("  ")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("STRATA_SECRETS_KEY");
  }

  @Test
  void aProductionRunSealsWithItsOwnKey() {
    assertThat(SealingKeyPolicy.keyFor(LaunchMode.NORMAL, Optional.of(OWN_KEY))).isEqualTo(OWN_KEY);
    new SecretBox(SealingKeyPolicy.keyFor(LaunchMode.NORMAL, Optional.of(OWN_KEY)), "prod1").seal("x");
  }

  @Test
  void devAndTestsMayUseTheDevelopmentKeyOrTheirOwn() {
    assertThat(SealingKeyPolicy.keyFor(LaunchMode.TEST, Optional.empty())).isEqualTo(DEVELOPMENT_KEY);
    assertThat(SealingKeyPolicy.keyFor(LaunchMode.DEVELOPMENT, Optional.of(DEVELOPMENT_KEY))).isEqualTo(DEVELOPMENT_KEY);
    assertThat(SealingKeyPolicy.keyFor(LaunchMode.TEST, Optional.of(OWN_KEY))).isEqualTo(OWN_KEY);
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
