package io.strata.engine.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChapAuthenticatorTest {
  private static final ChapCredentials INITIATOR =
      new ChapCredentials("alice", "initiator-secret-1".getBytes(StandardCharsets.UTF_8));
  private static final ChapCredentials TARGET =
      new ChapCredentials("target", "target-secret-12".getBytes(StandardCharsets.UTF_8));

  private static LinkedHashMap<String, String> step(ChapAuthenticator chap, Map<String, String> offers)
      throws LoginFailure {
    LinkedHashMap<String, String> answers = new LinkedHashMap<>();
    chap.process(new LinkedHashMap<>(offers), answers);
    return answers;
  }

  /** Runs AuthMethod and CHAP_A; returns the target's challenge answer. */
  private static LinkedHashMap<String, String> challenge(ChapAuthenticator chap, String algorithms)
      throws LoginFailure {
    assertThat(step(chap, Map.of("AuthMethod", "CHAP,None"))).containsEntry("AuthMethod", "CHAP");
    return step(chap, Map.of("CHAP_A", algorithms));
  }

  private static String respond(Map<String, String> challenge, byte[] secret) throws LoginFailure {
    int algorithm = Integer.parseInt(challenge.get("CHAP_A"));
    int id = Integer.parseInt(challenge.get("CHAP_I"));
    byte[] c = ChapAuthenticator.decodeBinary(challenge.get("CHAP_C"), "CHAP_C");
    return "0x" + HexFormat.of().formatHex(ChapAuthenticator.chapHash(algorithm, id, secret, c));
  }

  @Test
  void md5ChapWithTheRightSecretAuthenticates() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, null));
    LinkedHashMap<String, String> c = challenge(chap, "5");
    assertThat(c.get("CHAP_A")).isEqualTo("5");
    assertThat(ChapAuthenticator.decodeBinary(c.get("CHAP_C"), "CHAP_C")).hasSize(16);
    step(chap, Map.of("CHAP_N", "alice", "CHAP_R", respond(c, INITIATOR.secret())));
    assertThat(chap.authenticated()).isTrue();
  }

  @Test
  void sha256IsChosenWhenOffered() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, null));
    LinkedHashMap<String, String> c = challenge(chap, "5,7");
    assertThat(c.get("CHAP_A")).isEqualTo("7");
    step(chap, Map.of("CHAP_N", "alice", "CHAP_R", respond(c, INITIATOR.secret())));
    assertThat(chap.authenticated()).isTrue();
  }

  @Test
  void wrongSecretOrNameFails() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, null));
    LinkedHashMap<String, String> c = challenge(chap, "5");
    String wrong = respond(c, "another-secret-99".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> step(chap, Map.of("CHAP_N", "alice", "CHAP_R", wrong)))
        .isInstanceOf(LoginFailure.class)
        .satisfies(e -> assertThat(((LoginFailure) e).status).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE));
    ChapAuthenticator chap2 = new ChapAuthenticator(new Authentication(INITIATOR, null));
    LinkedHashMap<String, String> c2 = challenge(chap2, "5");
    String right = respond(c2, INITIATOR.secret());
    assertThatThrownBy(() -> step(chap2, Map.of("CHAP_N", "mallory", "CHAP_R", right)))
        .isInstanceOf(LoginFailure.class);
  }

  @Test
  void chapResponseOfTheWrongLengthFails() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, null));
    challenge(chap, "5");
    String tooLong = "0x" + "00".repeat(4096);
    assertThatThrownBy(() -> step(chap, Map.of("CHAP_N", "alice", "CHAP_R", tooLong)))
        .isInstanceOf(LoginFailure.class);
    ChapAuthenticator chap2 = new ChapAuthenticator(new Authentication(INITIATOR, null));
    challenge(chap2, "5");
    assertThatThrownBy(() -> step(chap2, Map.of("CHAP_N", "alice", "CHAP_R", "0x")))
        .isInstanceOf(LoginFailure.class);
  }

  @Test
  void mutualChapAnswersTheInitiatorsChallenge() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, TARGET));
    LinkedHashMap<String, String> c = challenge(chap, "5");
    byte[] theirs = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10");
    LinkedHashMap<String, String> answers =
        step(chap, Map.of(
            "CHAP_N", "alice", "CHAP_R", respond(c, INITIATOR.secret()),
            "CHAP_I", "77", "CHAP_C", "0x0102030405060708090a0b0c0d0e0f10"));
    assertThat(answers).containsEntry("CHAP_N", "target");
    assertThat(answers.get("CHAP_R"))
        .isEqualTo("0x" + HexFormat.of().formatHex(ChapAuthenticator.chapHash(5, 77, TARGET.secret(), theirs)));
  }

  @Test
  void reflectedChallengeIsRefused() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, TARGET));
    LinkedHashMap<String, String> c = challenge(chap, "5");
    assertThatThrownBy(() -> step(chap, Map.of(
            "CHAP_N", "alice", "CHAP_R", respond(c, INITIATOR.secret()),
            "CHAP_I", c.get("CHAP_I"), "CHAP_C", c.get("CHAP_C"))))
        .isInstanceOf(LoginFailure.class)
        .hasMessageContaining("reflected");
  }

  @Test
  void oversizedInitiatorChallengeIsRefused() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, TARGET));
    LinkedHashMap<String, String> c = challenge(chap, "5");
    assertThatThrownBy(() -> step(chap, Map.of(
            "CHAP_N", "alice", "CHAP_R", respond(c, INITIATOR.secret()),
            "CHAP_I", "1", "CHAP_C", "0x" + "ab".repeat(1025))))
        .isInstanceOf(LoginFailure.class);
  }

  @Test
  void mutualChapWithoutTargetCredentialsFails() throws LoginFailure {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, null));
    LinkedHashMap<String, String> c = challenge(chap, "5");
    assertThatThrownBy(() -> step(chap, Map.of(
            "CHAP_N", "alice", "CHAP_R", respond(c, INITIATOR.secret()),
            "CHAP_I", "1", "CHAP_C", "0x0102030405060708")))
        .isInstanceOf(LoginFailure.class);
  }

  @Test
  void chapIsRequiredWhenConfigured() {
    ChapAuthenticator chap = new ChapAuthenticator(new Authentication(INITIATOR, null));
    assertThatThrownBy(() -> step(chap, Map.of("AuthMethod", "None")))
        .isInstanceOf(LoginFailure.class);
    assertThat(chap.authenticated()).isFalse();
  }

  @Test
  void shortSecretsAndSameSecretBothWaysAreRefused() {
    assertThatThrownBy(() -> ChapCredentials.parse("bob:elevenbytes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("12");
    assertThatThrownBy(() -> new Authentication(INITIATOR,
            new ChapCredentials("t", INITIATOR.secret())))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
