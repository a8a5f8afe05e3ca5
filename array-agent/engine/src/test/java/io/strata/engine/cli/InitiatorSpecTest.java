package io.strata.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InitiatorSpecTest {

  private static final String IQN = "iqn.2026-11.io.strata:host.web1";

  @Test
  void credentialsAndLunList() {
    InitiatorSpec spec = InitiatorSpec.parse(IQN + "=web1:secret-of-web1:0,3");
    assertThat(spec.iqn()).isEqualTo(IQN);
    assertThat(spec.chap().user()).isEqualTo("web1");
    assertThat(new String(spec.chap().secret(), StandardCharsets.UTF_8)).isEqualTo("secret-of-web1");
    assertThat(spec.sees(0)).isTrue();
    assertThat(spec.sees(3)).isTrue();
    assertThat(spec.sees(1)).isFalse();
  }

  @Test
  void withoutLunListSeesEverything() {
    InitiatorSpec spec = InitiatorSpec.parse(IQN + "=web1:secret-of-web1");
    assertThat(spec.sees(42)).isTrue();
  }

  @Test
  void secretsMayContainColonsAndNoLunsIsDash() {
    InitiatorSpec spec = InitiatorSpec.parse(IQN + "=web1:a:b:c:d:e:f:g:h:-");
    assertThat(new String(spec.chap().secret(), StandardCharsets.UTF_8)).isEqualTo("a:b:c:d:e:f:g:h");
    assertThat(spec.sees(0)).isFalse();
  }

  @Test
  void nameAloneAdmitsWithTheTargetsOwnAuthentication() {
    InitiatorSpec spec = InitiatorSpec.parse(IQN);
    assertThat(spec.chap()).isNull();
    assertThat(spec.sees(0)).isTrue();
  }

  @Test
  void lunsWithoutChap() {
    InitiatorSpec spec = InitiatorSpec.parse(IQN + "=2");
    assertThat(spec.chap()).isNull();
    assertThat(spec.sees(2)).isTrue();
    assertThat(spec.sees(0)).isFalse();
  }

  @Test
  void shortSecretIsRefusedClearly() {
    assertThatThrownBy(() -> InitiatorSpec.parse(IQN + "=web1:short:0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 12");
  }
}
