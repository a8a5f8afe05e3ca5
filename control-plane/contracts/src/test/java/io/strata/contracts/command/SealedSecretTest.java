package io.strata.contracts.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SealedSecretTest {

  static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
  static final String OTHER = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());

  @Test
  void opensWhatWasSealedWithTheSameKey() {
    SealedSecret box = new SealedSecret(KEY, "k1");
    String sealed = box.seal("chap-secret-16b!");
    assertThat(sealed).startsWith("k1:").doesNotContain("chap-secret");
    assertThat(box.open(sealed)).isEqualTo("chap-secret-16b!");
  }

  @Test
  void refusesAnotherKeyAnotherKeyIdAndTampering() {
    String sealed = new SealedSecret(KEY, "k1").seal("chap-secret-16b!");
    assertThatThrownBy(() -> new SealedSecret(OTHER, "k1").open(sealed)).hasMessageContaining("does not open");
    assertThatThrownBy(() -> new SealedSecret(KEY, "k2").open(sealed)).hasMessageContaining("sealed with key 'k1'");
    char[] chars = sealed.toCharArray();
    chars[chars.length - 3] = chars[chars.length - 3] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> new SealedSecret(KEY, "k1").open(new String(chars))).hasMessageContaining("does not open");
    assertThatThrownBy(() -> new SealedSecret(KEY, "k1").open("plain")).hasMessageContaining("not a sealed secret");
  }

  @Test
  void refusesAKeyOfTheWrongLength() {
    assertThatThrownBy(() -> new SealedSecret(Base64.getEncoder().encodeToString(new byte[16]), "k"))
        .hasMessageContaining("32 bytes");
  }
}
