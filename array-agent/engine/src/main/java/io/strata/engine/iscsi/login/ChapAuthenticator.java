package io.strata.engine.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The security stage of one login (RFC 7143 12.1.3, RFC 1994): AuthMethod, then CHAP_A, then the
 * initiator's CHAP_N/CHAP_R (and CHAP_I/CHAP_C when it wants mutual CHAP).
 */
public final class ChapAuthenticator {
  /** CHAP_A values we accept, strongest first: SHA-256 (7) then MD5 (5). */
  private static final int SHA_256 = 7;
  private static final int MD5 = 5;
  /** Bounds on an initiator's challenge: long enough to matter, short enough to hash cheaply. */
  static final int MIN_CHALLENGE_BYTES = 1;
  static final int MAX_CHALLENGE_BYTES = 1024;

  private enum State {
    AWAIT_AUTH_METHOD,
    AWAIT_ALGORITHM,
    AWAIT_RESPONSE,
    DONE
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Authentication auth;
  private State state = State.AWAIT_AUTH_METHOD;
  private int algorithm;
  private int identifier;
  private byte[] challenge;

  public ChapAuthenticator(Authentication auth) {
    this.auth = auth;
  }

  /** Whether the initiator has proved who it is (always, when no CHAP is configured). */
  public boolean authenticated() {
    return state == State.DONE || !auth.required();
  }

  /** Handles the security keys of one Login Request of the security stage. */
  public void process(Map<String, String> offers, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    if (offers.containsKey("AuthMethod")) {
      answerAuthMethod(offers.get("AuthMethod"), answers);
    }
    if (offers.containsKey("CHAP_A")) {
      answerAlgorithm(offers.get("CHAP_A"), answers);
    }
    if (offers.containsKey("CHAP_R") || offers.containsKey("CHAP_N")) {
      verifyResponse(offers, answers);
    }
  }

  private void answerAuthMethod(String offered, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    if (state != State.AWAIT_AUTH_METHOD) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "AuthMethod sent twice");
    }
    boolean chap = false;
    boolean none = false;
    for (String method : offered.split(",")) {
      chap |= method.equals("CHAP");
      none |= method.equals("None");
    }
    if (auth.required()) {
      if (!chap) {
        throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP required, offered " + offered);
      }
      answers.put("AuthMethod", "CHAP");
      state = State.AWAIT_ALGORITHM;
    } else if (none) {
      answers.put("AuthMethod", "None");
      state = State.DONE;
    } else {
      // The initiator insists on a method while we have no secret to check it with.
      answers.put("AuthMethod", "Reject");
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "no CHAP configured, offered " + offered);
    }
  }

  private void answerAlgorithm(String offered, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    if (state != State.AWAIT_ALGORITHM) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_A out of order");
    }
    boolean md5 = false;
    boolean sha256 = false;
    for (String a : offered.split(",")) {
      md5 |= a.trim().equals("5");
      sha256 |= a.trim().equals("7");
    }
    if (!md5 && !sha256) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "no supported CHAP_A in " + offered);
    }
    algorithm = sha256 ? SHA_256 : MD5;
    identifier = RANDOM.nextInt(256);
    challenge = new byte[digestLength(algorithm)];
    RANDOM.nextBytes(challenge);
    answers.put("CHAP_A", Integer.toString(algorithm));
    answers.put("CHAP_I", Integer.toString(identifier));
    answers.put("CHAP_C", "0x" + HexFormat.of().formatHex(challenge));
    state = State.AWAIT_RESPONSE;
  }

  private void verifyResponse(Map<String, String> offers, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    if (state != State.AWAIT_RESPONSE) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_R out of order");
    }
    String name = offers.get("CHAP_N");
    String response = offers.get("CHAP_R");
    if (name == null || response == null) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_N and CHAP_R must come together");
    }
    byte[] received = decodeBinary(response, "CHAP_R");
    if (received.length != digestLength(algorithm)) {
      throw new LoginFailure(
          LoginStatus.AUTHENTICATION_FAILURE, "CHAP_R is " + received.length + " bytes");
    }
    byte[] expected = chapHash(algorithm, identifier, auth.initiator().secret(), challenge);
    boolean nameOk =
        MessageDigest.isEqual(
            name.getBytes(StandardCharsets.UTF_8),
            auth.initiator().user().getBytes(StandardCharsets.UTF_8));
    if (!nameOk | !MessageDigest.isEqual(expected, received)) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP response for " + name + " is wrong");
    }
    String mutualId = offers.get("CHAP_I");
    String mutualChallenge = offers.get("CHAP_C");
    if (mutualId != null || mutualChallenge != null) {
      answerMutual(mutualId, mutualChallenge, answers);
    }
    state = State.DONE;
  }

  private void answerMutual(String id, String challengeText, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    if (id == null || challengeText == null) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_I and CHAP_C must come together");
    }
    if (auth.target() == null) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "mutual CHAP is not configured");
    }
    int theirId;
    try {
      theirId = Integer.parseInt(id);
    } catch (NumberFormatException e) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_I is not a number");
    }
    if (theirId < 0 || theirId > 255) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_I out of range");
    }
    byte[] theirChallenge = decodeBinary(challengeText, "CHAP_C");
    if (theirChallenge.length < MIN_CHALLENGE_BYTES || theirChallenge.length > MAX_CHALLENGE_BYTES) {
      throw new LoginFailure(
          LoginStatus.AUTHENTICATION_FAILURE, "CHAP_C is " + theirChallenge.length + " bytes");
    }
    if (MessageDigest.isEqual(theirChallenge, challenge)) {
      // A reflected challenge would make us compute the answer to our own question.
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "reflected CHAP challenge");
    }
    byte[] ours = chapHash(algorithm, theirId, auth.target().secret(), theirChallenge);
    answers.put("CHAP_N", auth.target().user());
    answers.put("CHAP_R", "0x" + HexFormat.of().formatHex(ours));
  }

  /**
   * CHAP's hash: H(identifier || secret || challenge), with MD5 for CHAP_A=5 and SHA-256 for
   * CHAP_A=7. Public for the engine's own initiator, which answers a target's challenge with it.
   */
  public static byte[] chapHash(int algorithm, int identifier, byte[] secret, byte[] challenge) {
    try {
      MessageDigest digest = MessageDigest.getInstance(algorithm == SHA_256 ? "SHA-256" : "MD5");
      digest.update((byte) identifier);
      digest.update(secret);
      digest.update(challenge);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has MD5 and SHA-256", e);
    }
  }

  public static int digestLength(int algorithm) {
    return algorithm == SHA_256 ? 32 : 16;
  }

  /** Decodes a binary value: 0x hex or 0b base64 (RFC 7143 6.1). */
  static byte[] decodeBinary(String value, String key) throws LoginFailure {
    try {
      if (value.startsWith("0x") || value.startsWith("0X")) {
        String hex = value.substring(2);
        if (hex.length() % 2 == 1) {
          hex = "0" + hex;
        }
        return HexFormat.of().parseHex(hex);
      }
      if (value.startsWith("0b") || value.startsWith("0B")) {
        return Base64.getDecoder().decode(value.substring(2));
      }
    } catch (IllegalArgumentException e) {
      // falls through to the failure below
    }
    throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, key + " is not hex or base64");
  }
}
