package io.strata.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private final SecretBox box = new SecretBox(KEY, "k1");

  @Test
  void sealedValuesOpenToThePlaintextAndDoNotContainIt() {
    String sealed = box.seal("chap-secret-123");
    assertThat(sealed).startsWith("k1:").doesNotContain("chap-secret-123");
    assertThat(box.open(sealed)).isEqualTo("chap-secret-123");
  }

  @Test
  void theSameSecretSealsDifferentlyEachTime() {
    assertThat(box.seal("same")).isNotEqualTo(box.seal("same"));
  }

  @Test
  void aTamperedValueDoesNotOpen() {
    String sealed = box.seal("chap-secret-123");
    byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
    raw[raw.length - 1] ^= 1;
    String tampered = "k1:" + Base64.getEncoder().encodeToString(raw);
    assertThatThrownBy(() -> box.open(tampered)).hasMessageContaining("tampered");
  }

  @Test
  void anotherKeyOrKeyIdCannotOpenIt() {
    String sealed = box.seal("chap-secret-123");
    byte[] other = new byte[32];
    other[0] = 1;
    SecretBox otherKey = new SecretBox(Base64.getEncoder().encodeToString(other), "k1");
    assertThatThrownBy(() -> otherKey.open(sealed)).hasMessageContaining("does not open");
    SecretBox otherId = new SecretBox(KEY, "k2");
    assertThatThrownBy(() -> otherId.open(sealed)).hasMessageContaining("sealed with key 'k1'");
  }

  @Test
  void aKeyOfTheWrongLengthIsRefusedAtStart() {
    assertThatThrownBy(() -> new SecretBox(Base64.getEncoder().encodeToString(new byte[16]), "k"))
        .hasMessageContaining("32 bytes");
  }

  @Test
  void aFingerprintTellsEqualTextsApartButCannotBeRecomputedWithoutTheKey() throws Exception {
    String request = "{\"chapUser\":\"u\",\"chapSecret\":\"guessable-secret\"}";
    assertThat(box.fingerprint(request)).isEqualTo(box.fingerprint(request)).hasSize(64);
    assertThat(box.fingerprint(request)).isNotEqualTo(box.fingerprint(request.replace("guessable", "other")));
    String plainSha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(request.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(box.fingerprint(request)).isNotEqualTo(plainSha256);
    byte[] other = new byte[32];
    other[0] = 1;
    assertThat(new SecretBox(Base64.getEncoder().encodeToString(other), "k1").fingerprint(request))
        .isNotEqualTo(box.fingerprint(request));
  }
}
