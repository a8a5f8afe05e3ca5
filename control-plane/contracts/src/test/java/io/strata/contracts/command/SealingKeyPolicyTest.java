package io.strata.contracts.command;

import static io.strata.contracts.command.SealingKeyPolicy.DEVELOPMENT_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SealingKeyPolicyTest {
  static final String OWN_KEY = randomKey();

  @Test
  void aProductionRunRefusesTheDevelopmentKey() {
    assertThatThrownBy(() -> SealingKeyPolicy.keyFor(false, Optional.of(DEVELOPMENT_KEY)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("development key");
  }

  @Test
  void aProductionRunRefusesToStartWithoutAKey() {
    assertThatThrownBy(() -> SealingKeyPolicy.keyFor(false, Optional.empty()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("STRATA_SECRETS_KEY");
    assertThatThrownBy(() -> SealingKeyPolicy.keyFor(false, Optional.of("  ")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("STRATA_SECRETS_KEY");
  }

  @Test
  void aProductionRunSealsWithItsOwnKey() {
    assertThat(SealingKeyPolicy.keyFor(false, Optional.of(OWN_KEY))).isEqualTo(OWN_KEY);
    new SealedSecret(SealingKeyPolicy.keyFor(false, Optional.of(OWN_KEY)), "prod1").seal("x");
  }

  @Test
  void devAndTestsMayUseTheDevelopmentKeyOrTheirOwn() {
    assertThat(SealingKeyPolicy.keyFor(true, Optional.empty())).isEqualTo(DEVELOPMENT_KEY);
    assertThat(SealingKeyPolicy.keyFor(true, Optional.of(DEVELOPMENT_KEY))).isEqualTo(DEVELOPMENT_KEY);
    assertThat(SealingKeyPolicy.keyFor(true, Optional.of(OWN_KEY))).isEqualTo(OWN_KEY);
  }

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
