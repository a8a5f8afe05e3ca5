package io.strata.engine.iscsi.login;

import io.strata.engine.iscsi.login.TextParameters.MalformedTextException;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.LoginResponse;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.transport.Portal;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The login phase of one connection (RFC 7143 section 6): security stage with CHAP, operational
 * stage with negotiation, then the move to full feature phase. One instance per connection; each
 * Login Request gives one {@link Step}.
 */
public final class LoginConversation {
  public static final int SECURITY = 0;
  public static final int OPERATIONAL = 1;
  public static final int FULL_FEATURE = 3;
  private static final int VERSION = 0;
  /** RFC 7143 6.2: login text is at most this long once reassembled. */
  private static final int MAX_LOGIN_TEXT = 65_536;

  public enum Outcome {
    CONTINUE,
    FULL_FEATURE,
    FAILED
  }

  public record Step(LoginResponse response, Outcome outcome, String why) {}

  private final Targets targets;
  private final Portal portal;
  private final TargetLimits limits;
  private final SessionBinder binder;
  private final boolean rdmaCapable;

  private boolean started;
  private long isid;
  private int tsih;
  private int cid;
  private int initialCmdSn;
  private int stage = SECURITY;
  private String initiatorName;
  private String claimedName;
  private boolean discovery;
  private TargetDefinition target;
  private ChapAuthenticator chap;
  private Negotiation negotiation;
  private final ByteArrayOutputStream partialText = new ByteArrayOutputStream();
  private OperationalParameters agreed;
  private int statSn;
  private int boundTsih;
  /** The fencing epoch the initiator presented ({@link FencingEpoch}), or NONE. */
  private long presentedEpoch = FencingEpoch.NONE;
  /** Whether the login was refused for its fencing epoch (after authenticating: no guess). */
  private boolean fenced;

  public LoginConversation(Targets targets, Portal portal, TargetLimits limits, SessionBinder binder) {
    this(targets, portal, limits, binder, false);
  }

  /** {@code rdmaCapable}: the connection is iSER, so RDMAExtensions=Yes may (and must) be agreed. */
  public LoginConversation(
      Targets targets, Portal portal, TargetLimits limits, SessionBinder binder, boolean rdmaCapable) {
    this.targets = targets;
    this.portal = portal;
    this.limits = limits;
    this.binder = binder;
    this.rdmaCapable = rdmaCapable;
  }

  /** The parameters agreed, once the outcome was FULL_FEATURE. */
  public OperationalParameters agreed() {
    return agreed;
  }

  public String initiatorName() {
    return initiatorName;
  }

  /** The InitiatorName the first request gave, accepted or not (null before it came). */
  public String claimedInitiatorName() {
    return claimedName;
  }

  public TargetDefinition target() {
    return target;
  }

  public long isid() {
    return isid;
  }

  public int tsih() {
    return boundTsih;
  }

  public int cid() {
    return cid;
  }

  public int statSn() {
    return statSn;
  }

  public int initialCmdSn() {
    return initialCmdSn;
  }

  /** Whether the login was refused because its fencing epoch is below the target's. */
  public boolean fenced() {
    return fenced;
  }

  /** The fencing epoch presented in the login ({@link FencingEpoch#NONE} when none was). */
  public long presentedEpoch() {
    return presentedEpoch;
  }

  public Step handle(LoginRequest request) {
    try {
      return advance(request);
    } catch (LoginFailure failure) {
      return new Step(failureResponse(request, failure.status), Outcome.FAILED, failure.getMessage());
    }
  }

  private Step advance(LoginRequest request) throws LoginFailure {
    if (!started) {
      start(request);
    } else if (request.isid() != isid || request.tsih() != tsih || request.cid() != cid) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "ISID, TSIH or CID changed during login");
    }
    statSn = request.expStatSn();
    checkStages(request);
    appendText(request.data());
    if (request.continues()) {
      // More text follows: acknowledge with an empty response in the same stage.
      return new Step(response(request, false, new LinkedHashMap<>()), Outcome.CONTINUE, null);
    }
    Map<String, String> offers = parseText();
    String epoch = offers.remove(FencingEpoch.KEY);
    if (epoch != null) {
      // Declarative and ours: no answer; checked when the session is bound (SessionRegistry).
      presentedEpoch = FencingEpoch.parse(epoch);
    }
    LinkedHashMap<String, String> answers = new LinkedHashMap<>();
    if (initiatorName == null) {
      identify(offers, answers);
    }
    if (request.currentStage() == SECURITY) {
      chap.process(offers, answers);
      negotiation.answer(offers, answers);
    } else {
      if (!chap.authenticated()) {
        throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "authentication required first");
      }
      for (String key : offers.keySet()) {
        if (key.equals("AuthMethod") || key.startsWith("CHAP_")) {
          throw new LoginFailure(LoginStatus.INITIATOR_ERROR, key + " in the operational stage");
        }
      }
      negotiation.answer(offers, answers);
    }
    boolean transit = request.transit() && chap.authenticated();
    if (transit && request.nextStage() == FULL_FEATURE) {
      return finish(request, answers);
    }
    if (transit) {
      stage = request.nextStage();
    }
    return new Step(response(request, transit, answers), Outcome.CONTINUE, null);
  }

  private void start(LoginRequest request) throws LoginFailure {
    started = true;
    isid = request.isid();
    tsih = request.tsih();
    cid = request.cid();
    initialCmdSn = request.cmdSn();
    if (request.versionMin() > VERSION) {
      throw new LoginFailure(LoginStatus.UNSUPPORTED_VERSION, "version " + request.versionMin());
    }
    stage = request.currentStage();
  }

  private void checkStages(LoginRequest request) throws LoginFailure {
    int csg = request.currentStage();
    if (csg != SECURITY && csg != OPERATIONAL) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "CSG " + csg);
    }
    if (csg < stage) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "went back to stage " + csg);
    }
    stage = csg;
    if (request.transit()) {
      int nsg = request.nextStage();
      if (nsg == 2 || nsg <= csg) {
        throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "cannot move from " + csg + " to " + nsg);
      }
      if (request.continues()) {
        throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "T and C both set");
      }
    }
  }

  private void appendText(ByteBuffer data) throws LoginFailure {
    if (partialText.size() + data.remaining() > MAX_LOGIN_TEXT) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "login text longer than 64 KiB");
    }
    byte[] bytes = TextParameters.bytes(data);
    partialText.write(bytes, 0, bytes.length);
  }

  private Map<String, String> parseText() throws LoginFailure {
    byte[] text = partialText.toByteArray();
    partialText.reset();
    try {
      return TextParameters.parse(text);
    } catch (MalformedTextException e) {
      throw new LoginFailure(LoginStatus.INITIATOR_ERROR, e.getMessage());
    }
  }

  /** The first Login Request names the initiator, the session type and the target. */
  private void identify(Map<String, String> offers, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    String name = offers.get("InitiatorName");
    claimedName = name;
    if (name == null || name.isEmpty()) {
      throw new LoginFailure(LoginStatus.MISSING_PARAMETER, "no InitiatorName");
    }
    String type = offers.getOrDefault("SessionType", "Normal");
    if (type.equals("Discovery")) {
      discovery = true;
      if (targets.visibleTo(name).isEmpty() && !targets.all().isEmpty()) {
        // Nothing here is for this initiator: do not even confirm that targets exist.
        throw new LoginFailure(LoginStatus.AUTHORIZATION_FAILURE, name + " may not discover targets here");
      }
      chap = new ChapAuthenticator(targets.discoveryAuthentication(name));
    } else if (type.equals("Normal")) {
      String targetName = offers.get("TargetName");
      if (targetName == null || targetName.isEmpty()) {
        throw new LoginFailure(LoginStatus.MISSING_PARAMETER, "no TargetName");
      }
      target =
          targets
              .find(targetName)
              .filter(t -> t.reachableThrough(portal))
              .orElseThrow(() -> new LoginFailure(LoginStatus.NOT_FOUND, "no target " + targetName));
      if (!target.admits(name)) {
        throw new LoginFailure(
            LoginStatus.AUTHORIZATION_FAILURE, name + " may not log in to " + targetName);
      }
      chap = new ChapAuthenticator(target.authenticationFor(name));
      answers.put("TargetPortalGroupTag", Integer.toString(portal.groupTag()));
    } else {
      throw new LoginFailure(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "SessionType " + type);
    }
    if (chap.authenticated() && stage == OPERATIONAL) {
      // No authentication configured and the initiator skipped the security stage: fine.
    } else if (stage == OPERATIONAL) {
      throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE, "CHAP required");
    }
    initiatorName = name;
    negotiation = new Negotiation(limits, discovery, tsih == 0, rdmaCapable);
  }

  private Step finish(LoginRequest request, LinkedHashMap<String, String> answers)
      throws LoginFailure {
    if (negotiation.mustDeclareOurMaxRecvDataSegmentLength()) {
      answers.put(
          "MaxRecvDataSegmentLength",
          Integer.toString(
              rdmaCapable
                  ? Math.min(limits.maxRecvDataSegmentLength(), Negotiation.ISER_RECV_DATA_SEGMENT_LENGTH)
                  : limits.maxRecvDataSegmentLength()));
    }
    agreed = negotiation.result();
    if (target != null) {
      // Checked again, atomically with the fencing of the export, when the session is created.
      long minimum = targets.minimumEpoch(target.name());
      if (minimum > 0 && presentedEpoch < minimum) {
        fenced = true;
        throw new LoginFailure(LoginStatus.AUTHORIZATION_FAILURE,
            FencingEpoch.refusal(target.name(), presentedEpoch, minimum));
      }
    }
    boundTsih =
        binder.bind(new LoginResult(target, initiatorName, isid, tsih, cid, initialCmdSn, agreed,
            presentedEpoch));
    stage = FULL_FEATURE;
    return new Step(response(request, true, answers), Outcome.FULL_FEATURE, null);
  }

  private LoginResponse response(
      LoginRequest request, boolean transit, LinkedHashMap<String, String> answers) {
    return new LoginResponse(
        transit,
        false,
        request.currentStage(),
        transit ? request.nextStage() : 0,
        VERSION,
        VERSION,
        isid,
        boundTsih,
        request.itt(),
        statSn,
        initialCmdSn,
        initialCmdSn + limits.commandWindow() - 1,
        LoginStatus.SUCCESS.statusClass,
        LoginStatus.SUCCESS.detail,
        ByteBuffer.wrap(TextParameters.encode(answers)));
  }

  private LoginResponse failureResponse(LoginRequest request, LoginStatus status) {
    return new LoginResponse(
        false,
        false,
        request.currentStage() & 3,
        0,
        VERSION,
        VERSION,
        request.isid(),
        0,
        request.itt(),
        request.expStatSn(),
        request.cmdSn(),
        request.cmdSn(),
        status.statusClass,
        status.detail,
        io.strata.engine.iscsi.pdu.Pdu.NO_DATA);
  }

  /** The Login Response for a non-Login PDU received before full feature phase. */
  public static LoginResponse invalidDuringLogin(int itt) {
    return new LoginResponse(
        false, false, 0, 0, VERSION, VERSION, 0, 0, itt, 0, 0, 0,
        LoginStatus.INVALID_DURING_LOGIN.statusClass,
        LoginStatus.INVALID_DURING_LOGIN.detail,
        io.strata.engine.iscsi.pdu.Pdu.NO_DATA);
  }
}
