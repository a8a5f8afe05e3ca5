package io.strata.engine.iscsi.login;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Negotiates the operational keys of one login (RFC 7143 sections 6 and 13): each offer gets an
 * answer by the key's rule (list: first acceptable; numeric: min or max; boolean: AND or OR).
 * Security keys (AuthMethod, CHAP_*) are {@link ChapAuthenticator}'s.
 */
public final class Negotiation {
  private static final int MIN_LENGTH = 512;
  private static final int MAX_LENGTH = 16_777_215;
  private static final Set<String> DECLARATIVE =
      Set.of("InitiatorName", "InitiatorAlias", "TargetName", "SessionType", "TargetAlias");
  /** Keys that mean nothing in a discovery session (RFC 7143 13.x "Irrelevant when ..."). */
  private static final Set<String> IRRELEVANT_IN_DISCOVERY =
      Set.of(
          "MaxConnections",
          "InitialR2T",
          "ImmediateData",
          "MaxBurstLength",
          "FirstBurstLength",
          "MaxOutstandingR2T",
          "DataPDUInOrder",
          "DataSequenceInOrder",
          "DefaultTime2Wait",
          "DefaultTime2Retain");

  /**
   * The largest data segment an iSER connection of ours receives in one message (its receive
   * buffers are sized for it); RFC 7145 also makes 8192 the default of both iSER lengths.
   */
  public static final int ISER_RECV_DATA_SEGMENT_LENGTH = 8192;

  private final TargetLimits limits;
  private final boolean discovery;
  private final boolean leadingConnection;
  /** The connection runs over an RDMA-capable protocol (iSER), so RDMAExtensions may be Yes. */
  private final boolean rdmaCapable;
  private boolean rdmaExtensions;
  private int targetRecvDataSegmentLength = ISER_RECV_DATA_SEGMENT_LENGTH;
  private int initiatorRecvDataSegmentLength = ISER_RECV_DATA_SEGMENT_LENGTH;

  private boolean headerDigest;
  private boolean dataDigest;
  private int initiatorMrdsl = 8192;
  private int maxConnections = 1;
  private boolean initialR2T = true;
  private boolean immediateData = true;
  private int maxBurstLength = 262_144;
  private int firstBurstLength = 65_536;
  private int defaultTime2Wait = 2;
  private int defaultTime2Retain = 20;
  private int maxOutstandingR2T = 1;
  private boolean dataPduInOrder = true;
  private boolean dataSequenceInOrder = true;
  private int errorRecoveryLevel = 0;
  private boolean declaredOurMrdsl;

  public Negotiation(TargetLimits limits, boolean discovery, boolean leadingConnection) {
    this(limits, discovery, leadingConnection, false);
  }

  public Negotiation(
      TargetLimits limits, boolean discovery, boolean leadingConnection, boolean rdmaCapable) {
    this.limits = limits;
    this.discovery = discovery;
    this.leadingConnection = leadingConnection;
    this.rdmaCapable = rdmaCapable;
  }

  /** Our receive limit per data segment on this connection. */
  private int ourMaxRecvDataSegmentLength() {
    return rdmaCapable
        ? Math.min(limits.maxRecvDataSegmentLength(), ISER_RECV_DATA_SEGMENT_LENGTH)
        : limits.maxRecvDataSegmentLength();
  }

  /** Whether RDMAExtensions=Yes was agreed (RFC 7145): data moves by RDMA, PDUs by iSER. */
  public boolean rdmaExtensions() {
    return rdmaExtensions;
  }

  /**
   * Answers every operational key of {@code offers} into {@code answers}, in order. Unknown keys
   * get NotUnderstood; bad values get Reject (the key keeps its default).
   */
  public void answer(Map<String, String> offers, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    for (Map.Entry<String, String> offer : offers.entrySet()) {
      String key = offer.getKey();
      if (DECLARATIVE.contains(key) || key.equals("AuthMethod") || key.startsWith("CHAP_")) {
        continue;
      }
      String answer = answerOne(key, offer.getValue());
      if (answer != null) {
        answers.put(key, answer);
      }
    }
  }

  private String answerOne(String key, String value) throws LoginFailure {
    if (discovery && IRRELEVANT_IN_DISCOVERY.contains(key)) {
      return "Irrelevant";
    }
    switch (key) {
      case "HeaderDigest":
        headerDigest = chooseDigest(value);
        return headerDigest ? "CRC32C" : "None";
      case "DataDigest":
        dataDigest = chooseDigest(value);
        return dataDigest ? "CRC32C" : "None";
      case "MaxRecvDataSegmentLength":
        {
          initiatorMrdsl = number(key, value, MIN_LENGTH, MAX_LENGTH);
          declaredOurMrdsl = true;
          // Declarative: we answer with our own value, not theirs.
          return Integer.toString(ourMaxRecvDataSegmentLength());
        }
      case "MaxConnections":
        return minimum(key, value, 1, 65_535, limits.maxConnections(), v -> maxConnections = v);
      case "InitialR2T":
        // OR: Yes if either side wants it; we are happy without.
        return bool(value, v -> initialR2T = v, false, false);
      case "ImmediateData":
        // AND: we accept immediate data.
        return bool(value, v -> immediateData = v, true, true);
      case "MaxBurstLength":
        return minimum(key, value, MIN_LENGTH, MAX_LENGTH, limits.maxBurstLength(), v -> maxBurstLength = v);
      case "FirstBurstLength":
        return minimum(key, value, MIN_LENGTH, MAX_LENGTH, limits.firstBurstLength(), v -> firstBurstLength = v);
      case "DefaultTime2Wait":
        return maximum(key, value, 0, 3600, 2, v -> defaultTime2Wait = v);
      case "DefaultTime2Retain":
        return minimum(key, value, 0, 3600, 20, v -> defaultTime2Retain = v);
      case "MaxOutstandingR2T":
        return minimum(key, value, 1, 65_535, limits.maxOutstandingR2T(), v -> maxOutstandingR2T = v);
      case "DataPDUInOrder":
        // OR: we want data in order, so the answer is always Yes.
        return bool(value, v -> dataPduInOrder = v, false, true);
      case "DataSequenceInOrder":
        return bool(value, v -> dataSequenceInOrder = v, false, true);
      case "ErrorRecoveryLevel":
        return minimum(key, value, 0, 2, limits.errorRecoveryLevel(), v -> errorRecoveryLevel = v);
      case "IFMarker":
      case "OFMarker":
        return bool(value, v -> {}, true, false);
      case "IFMarkInt":
      case "OFMarkInt":
        return "Irrelevant";
      case "iSCSIProtocolLevel":
        return minimum(key, value, 0, 31, 1, v -> {});
      case "RDMAExtensions":
        // RFC 7145 6.2: LeadingOnly, AND. Yes only where the connection is RDMA-capable.
        if (!leadingConnection) {
          return "Irrelevant";
        }
        return bool(value, v -> rdmaExtensions = v, true, rdmaCapable);
      case "TargetRecvDataSegmentLength":
        // RFC 7145 6.3 / 6.4: Minimum of both sides; only meaningful with RDMAExtensions=Yes.
        if (!rdmaCapable) {
          return "Irrelevant";
        }
        return minimum(key, value, MIN_LENGTH, MAX_LENGTH, ISER_RECV_DATA_SEGMENT_LENGTH,
            v -> targetRecvDataSegmentLength = v);
      case "InitiatorRecvDataSegmentLength":
        if (!rdmaCapable) {
          return "Irrelevant";
        }
        return minimum(key, value, MIN_LENGTH, MAX_LENGTH, MAX_LENGTH, v -> initiatorRecvDataSegmentLength = v);
      case "MaxOutstandingUnexpectedPDUs":
        // RFC 7145 6.5: 0 means no limit; we send only responses, so any limit suits us.
        if (!rdmaCapable) {
          return "Irrelevant";
        }
        number(key, value, 0, Integer.MAX_VALUE);
        return value;
      case "SendTargets":
        throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "SendTargets during login");
      default:
        return "NotUnderstood";
    }
  }

  /** Whether our MaxRecvDataSegmentLength still has to be declared in the final response. */
  public boolean mustDeclareOurMaxRecvDataSegmentLength() {
    return !declaredOurMrdsl;
  }

  public OperationalParameters result() throws LoginFailure {
    if (rdmaCapable && !discovery && !rdmaExtensions && leadingConnection) {
      // RFC 7145 5.1: an iSER connection carries iSCSI only with the extensions enabled.
      throw new LoginFailure(
          LoginStatus.INITIATOR_ERROR, "RDMAExtensions=Yes is required on an iSER portal");
    }
    if (rdmaExtensions && (headerDigest || dataDigest)) {
      // RFC 7145 6.1: the RDMA transport protects the data; digests are not used with iSER.
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "digests are not allowed with iSER");
    }
    int burst = Math.max(maxBurstLength, 512);
    boolean iser = rdmaExtensions || (rdmaCapable && !leadingConnection);
    return new OperationalParameters(
        headerDigest,
        dataDigest,
        iser ? initiatorRecvDataSegmentLength : initiatorMrdsl,
        iser
            ? Math.min(targetRecvDataSegmentLength, ourMaxRecvDataSegmentLength())
            : limits.maxRecvDataSegmentLength(),
        maxConnections,
        initialR2T,
        immediateData,
        burst,
        Math.min(firstBurstLength, burst),
        defaultTime2Wait,
        defaultTime2Retain,
        maxOutstandingR2T,
        dataPduInOrder,
        dataSequenceInOrder,
        errorRecoveryLevel);
  }

  boolean leadingConnection() {
    return leadingConnection;
  }

  private interface IntSetter {
    void set(int v);
  }

  private interface BoolSetter {
    void set(boolean v);
  }

  private static boolean chooseDigest(String offered) throws LoginFailure {
    for (String choice : offered.split(",")) {
      if (choice.equals("CRC32C")) {
        return true;
      }
      if (choice.equals("None")) {
        return false;
      }
    }
    throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "no acceptable digest in " + offered);
  }

  /**
   * The value of numeric key {@code key}. A value that is not a number in the key's range (RFC
   * 7143 section 13: MaxRecvDataSegmentLength, MaxBurstLength and FirstBurstLength 512 to
   * 2^24-1, MaxConnections and MaxOutstandingR2T 1 to 65535, DefaultTime2Wait and
   * DefaultTime2Retain 0 to 3600, ErrorRecoveryLevel 0 to 2...) is the initiator's protocol
   * error: the login ends with a Login reject "initiator error" (0x0200) naming the key, rather
   * than carrying on with a default the initiator did not ask for.
   */
  private static int number(String key, String value, int min, int max) throws LoginFailure {
    long v;
    try {
      v = value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value);
    } catch (NumberFormatException e) {
      v = Long.MIN_VALUE;
    }
    if (v < min || v > max) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, key + "=" + value
          + " is not a number from " + min + " to " + max);
    }
    return (int) v;
  }

  private static String minimum(String key, String value, int min, int max, int ours,
      IntSetter set) throws LoginFailure {
    int agreed = Math.min(number(key, value, min, max), ours);
    set.set(agreed);
    return Integer.toString(agreed);
  }

  private static String maximum(String key, String value, int min, int max, int ours,
      IntSetter set) throws LoginFailure {
    int agreed = Math.max(number(key, value, min, max), ours);
    set.set(agreed);
    return Integer.toString(agreed);
  }

  /**
   * A boolean key: {@code and} means the result is Yes only if both say Yes, otherwise Yes if
   * either does; {@code ours} is our own preference.
   */
  private static String bool(String value, BoolSetter set, boolean and, boolean ours) {
    boolean theirs;
    if (value.equals("Yes")) {
      theirs = true;
    } else if (value.equals("No")) {
      theirs = false;
    } else {
      return "Reject";
    }
    boolean agreed = and ? theirs && ours : theirs || ours;
    set.set(agreed);
    return agreed ? "Yes" : "No";
  }
}
