package io.strata.engine.iscsi.initiator;

import io.strata.engine.iscsi.login.ChapAuthenticator;
import io.strata.engine.iscsi.login.FencingEpoch;
import io.strata.engine.iscsi.login.TextParameters;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.LoginResponse;
import io.strata.engine.iscsi.pdu.Pdu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The initiator's side of a leading login (RFC 7143 section 6): the security stage with CHAP
 * when credentials are configured (we answer the target's challenge; we do not ask for mutual
 * CHAP), then the operational stage, then full feature phase. Blocking, on a fresh connection,
 * before any other thread uses it.
 */
final class InitiatorLogin {
  static final int SECURITY = 0;
  static final int OPERATIONAL = 1;
  static final int FULL_FEATURE = 3;
  /** Login text exchanges tolerated per stage before we call the target confused. */
  private static final int MAX_ROUNDS = 8;
  private static final int CHAP_SHA256 = 7;
  private static final int CHAP_MD5 = 5;

  /**
   * What login agreed, from our side.
   *
   * @param maxSendSegment the target's MaxRecvDataSegmentLength: the most data we put in a PDU
   * @param firstCmdSn the CmdSN of our first command
   * @param maxCmdSn the last CmdSN the target accepts now
   */
  record Agreed(
      int maxSendSegment,
      int maxBurstLength,
      int firstBurstLength,
      boolean immediateData,
      boolean initialR2T,
      int tsih,
      int firstCmdSn,
      int expStatSn,
      int maxCmdSn) {}

  private final PduStream stream;
  private final InitiatorConfig config;
  private final long isid;
  private final long epoch;
  private final int cmdSn = 1;
  private int expStatSn;
  private int tsih;
  private int maxCmdSn = cmdSn;

  private InitiatorLogin(PduStream stream, InitiatorConfig config, long isid, long epoch) {
    this.stream = stream;
    this.config = config;
    this.isid = isid;
    this.epoch = epoch;
  }

  /**
   * Logs in; {@code epoch} &gt; 0 is presented as {@link FencingEpoch#KEY} in the first request
   * (an HA array's fencing epoch), 0 presents none.
   */
  static Agreed login(PduStream stream, InitiatorConfig config, long isid, long epoch)
      throws IOException {
    return new InitiatorLogin(stream, config, isid, epoch).run();
  }

  private Agreed run() throws IOException {
    Map<String, String> first = new LinkedHashMap<>();
    first.put("InitiatorName", config.initiatorName());
    first.put("SessionType", "Normal");
    first.put("TargetName", config.targetName());
    first.put("AuthMethod", config.chap() == null ? "None" : "CHAP");
    if (epoch > 0) {
      // A target without the key answers NotUnderstood, which we let be: only a drive export
      // service fences, and it knows the key.
      first.put(FencingEpoch.KEY, Long.toString(epoch));
    }
    if (config.chap() == null) {
      // Nothing to prove: ask to move on to the operational stage at once.
      LoginResponse r = exchange(SECURITY, true, OPERATIONAL, first);
      finishStage(r, SECURITY, OPERATIONAL, null);
    } else {
      authenticate(first);
    }
    return negotiate();
  }

  private void authenticate(Map<String, String> first) throws IOException {
    LoginResponse r = exchange(SECURITY, false, 0, first);
    Map<String, String> answers = keys(r);
    if (!"CHAP".equals(answers.get("AuthMethod"))) {
      throw new IOException("login to " + config.targetName() + ": the target answered AuthMethod="
          + answers.get("AuthMethod") + " to our CHAP");
    }
    r = exchange(SECURITY, false, 0, Map.of("CHAP_A", CHAP_SHA256 + "," + CHAP_MD5));
    answers = keys(r);
    int algorithm = number(answers.get("CHAP_A"), "CHAP_A");
    if (algorithm != CHAP_SHA256 && algorithm != CHAP_MD5) {
      throw new IOException("login: the target chose CHAP_A=" + algorithm);
    }
    int identifier = number(answers.get("CHAP_I"), "CHAP_I");
    byte[] challenge = binary(answers.get("CHAP_C"), "CHAP_C");
    byte[] response =
        ChapAuthenticator.chapHash(algorithm, identifier & 0xff, config.chap().secret(), challenge);
    Map<String, String> proof = new LinkedHashMap<>();
    proof.put("CHAP_N", config.chap().user());
    proof.put("CHAP_R", "0x" + HexFormat.of().formatHex(response));
    r = exchange(SECURITY, true, OPERATIONAL, proof);
    finishStage(r, SECURITY, OPERATIONAL, null);
  }

  /**
   * Keeps sending empty requests with T until the target moves to the next stage too; the keys
   * it sends meanwhile go to {@code collected} (null: ignored).
   */
  private LoginResponse finishStage(LoginResponse r, int stage, int next,
      Map<String, String> collected) throws IOException {
    for (int round = 0; !r.transit(); round++) {
      if (round == MAX_ROUNDS) {
        throw new IOException("login: the target does not leave stage " + stage);
      }
      r = exchange(stage, true, next, Map.of());
      if (collected != null) {
        collected.putAll(keys(r));
      }
    }
    if (r.nextStage() != next) {
      throw new IOException("login: the target moved to stage " + r.nextStage() + ", not " + next);
    }
    return r;
  }

  private Agreed negotiate() throws IOException {
    Map<String, String> offer = new LinkedHashMap<>();
    offer.put("HeaderDigest", "None");
    offer.put("DataDigest", "None");
    offer.put("MaxRecvDataSegmentLength",
        Integer.toString(InitiatorConfig.MAX_RECV_DATA_SEGMENT_LENGTH));
    offer.put("ImmediateData", "Yes");
    offer.put("InitialR2T", "No");
    offer.put("MaxBurstLength", Integer.toString(InitiatorConfig.MAX_BURST_LENGTH));
    offer.put("FirstBurstLength", Integer.toString(InitiatorConfig.FIRST_BURST_LENGTH));
    offer.put("MaxOutstandingR2T", "1");
    offer.put("MaxConnections", "1");
    offer.put("ErrorRecoveryLevel", "0");
    offer.put("DataPDUInOrder", "Yes");
    offer.put("DataSequenceInOrder", "Yes");
    LoginResponse r = exchange(OPERATIONAL, true, FULL_FEATURE, offer);
    LinkedHashMap<String, String> answers = new LinkedHashMap<>(keys(r));
    finishStage(r, OPERATIONAL, FULL_FEATURE, answers);
    if (!"None".equals(answers.getOrDefault("HeaderDigest", "None"))
        || !"None".equals(answers.getOrDefault("DataDigest", "None"))) {
      throw new IOException("login: the target insists on digests, which we did not offer");
    }
    // Defaults (RFC 7143 13) for what the target did not answer; results by each key's rule.
    int maxSend = answers.containsKey("MaxRecvDataSegmentLength")
        ? number(answers.get("MaxRecvDataSegmentLength"), "MaxRecvDataSegmentLength") : 8192;
    int maxBurst = Math.min(InitiatorConfig.MAX_BURST_LENGTH,
        number(answers.getOrDefault("MaxBurstLength", "262144"), "MaxBurstLength"));
    int firstBurst = Math.min(Math.min(InitiatorConfig.FIRST_BURST_LENGTH, maxBurst),
        number(answers.getOrDefault("FirstBurstLength", "65536"), "FirstBurstLength"));
    boolean immediate = "Yes".equals(answers.getOrDefault("ImmediateData", "Yes"));
    boolean initialR2T = !"No".equals(answers.getOrDefault("InitialR2T", "Yes"));
    if (maxSend < 512 || maxBurst < 512 || firstBurst < 512) {
      throw new IOException("login: the target agreed lengths below 512 bytes");
    }
    return new Agreed(maxSend, maxBurst, firstBurst, immediate, initialR2T, tsih, cmdSn,
        expStatSn, maxCmdSn);
  }

  /** Sends one Login Request and returns its (successful) response. */
  private LoginResponse exchange(int stage, boolean transit, int next, Map<String, String> keys)
      throws IOException {
    stream.send(new LoginRequest(transit, false, stage, transit ? next : 0, 0, 0, isid, tsih, 0, 0,
        cmdSn, expStatSn, ByteBuffer.wrap(TextParameters.encode(keys))));
    Pdu pdu = stream.receive();
    if (!(pdu instanceof LoginResponse r)) {
      throw new IOException("login: the target answered with " + pdu.opcode());
    }
    if (r.statusClass() != 0) {
      boolean afterAuthentication = stage == OPERATIONAL && transit && next == FULL_FEATURE;
      String why = afterAuthentication && r.statusClass() == 2 && r.statusDetail() == 2
          ? fencedHint() : null;
      throw new LoginRefusedException(config.targetName(), r.statusClass(), r.statusDetail(),
          why);
    }
    if (r.continues()) {
      throw new IOException("login: multi-PDU login responses are not supported");
    }
    expStatSn = r.statSn() + 1;
    tsih = r.tsih();
    maxCmdSn = r.maxCmdSn();
    return r;
  }

  /**
   * An authorization failure after CHAP has passed: a drive export service refuses so only an
   * engine whose fencing epoch is below the export's.
   */
  private String fencedHint() {
    return epoch > 0
        ? "fenced: the export admits only a higher epoch than " + epoch + " presented here"
        : "fenced: the export admits only engines presenting a fencing epoch, and none was";
  }

  private Map<String, String> keys(LoginResponse r) throws IOException {
    try {
      return TextParameters.parse(TextParameters.bytes(r.data()));
    } catch (TextParameters.MalformedTextException e) {
      throw new IOException("login: malformed text from the target: " + e.getMessage());
    }
  }

  private static int number(String value, String key) throws IOException {
    if (value == null) {
      throw new IOException("login: the target sent no " + key);
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IOException("login: " + key + "=" + value + " is not a number");
    }
  }

  private static byte[] binary(String value, String key) throws IOException {
    if (value == null) {
      throw new IOException("login: the target sent no " + key);
    }
    try {
      if (value.startsWith("0x") || value.startsWith("0X")) {
        String hex = value.substring(2);
        return HexFormat.of().parseHex(hex.length() % 2 == 1 ? "0" + hex : hex);
      }
      if (value.startsWith("0b") || value.startsWith("0B")) {
        return Base64.getDecoder().decode(value.substring(2));
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IOException("login: " + key + " is neither hex nor base64");
  }
}
