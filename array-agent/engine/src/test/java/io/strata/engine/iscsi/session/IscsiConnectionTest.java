package io.strata.engine.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.engine.fake.MemoryScsiTarget;
import io.strata.engine.iscsi.login.Authentication;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.login.LoginStatus;
import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.iscsi.login.TargetLimits;
import io.strata.engine.iscsi.login.TextParameters;
import io.strata.engine.iscsi.pdu.DataOut;
import io.strata.engine.iscsi.pdu.DecodeLimits;
import io.strata.engine.iscsi.pdu.LoginRequest;
import io.strata.engine.iscsi.pdu.LoginResponse;
import io.strata.engine.iscsi.pdu.NopOut;
import io.strata.engine.iscsi.pdu.Pdu;
import io.strata.engine.iscsi.pdu.ReadyToTransfer;
import io.strata.engine.iscsi.pdu.Reject;
import io.strata.engine.iscsi.pdu.ScsiCommandPdu;
import io.strata.engine.iscsi.pdu.ScsiResponsePdu;
import io.strata.engine.iscsi.pdu.TextRequest;
import io.strata.engine.iscsi.pdu.TextResponse;
import io.strata.engine.iscsi.target.TargetDefinition;
import io.strata.engine.iscsi.target.Targets;
import io.strata.engine.transport.Portal;
import io.strata.engine.transport.PduConnection;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Login, discovery and full feature phase driven PDU by PDU, without sockets. */
class IscsiConnectionTest {
  static final Portal PORTAL_A = new Portal("127.0.0.1", 3260, 1);
  static final Portal PORTAL_B = new Portal("127.0.0.2", 3260, 2);
  static final String INITIATOR = "iqn.2026-11.io.strata:host1";

  /** Records what the iSCSI layer sends. */
  static final class Wire implements PduConnection {
    final List<Pdu> sent = new ArrayList<>();
    boolean closed;
    DecodeLimits framing = DecodeLimits.LOGIN;

    @Override public Portal portal() { return PORTAL_A; }
    @Override public String remoteAddress() { return "test"; }
    @Override public void framing(DecodeLimits limits) { framing = limits; }
    @Override public void write(Pdu pdu) { sent.add(pdu); }
    @Override public void flush() {}
    @Override public void close() { closed = true; }

    Pdu last() {
      return sent.get(sent.size() - 1);
    }
  }

  final MemoryScsiTarget scsi = new MemoryScsiTarget(1);
  final TargetDefinition open =
      new TargetDefinition("iqn.2026-11.io.strata:t.open", List.of(PORTAL_A, PORTAL_B), Authentication.NONE, Set.of(), scsi);
  final TargetDefinition hidden =
      new TargetDefinition("iqn.2026-11.io.strata:t.hidden", List.of(PORTAL_A), Authentication.NONE,
          Set.of("iqn.2026-11.io.strata:someone-else"), scsi);
  /** Failed logins answered at once: these tests look at the answers, not their timing. */
  static final AuthFailureThrottle NO_DELAY = new AuthFailureThrottle(
      new AuthFailureThrottle.Policy(Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1)));

  final SessionRegistry registry =
      new SessionRegistry(new Targets(List.of(open, hidden)), TargetLimits.DEFAULT, NO_DELAY);
  final Wire wire = new Wire();
  /** Reads and writes run inline here, so each response is on the wire when received() returns. */
  final IscsiConnection connection = new IscsiConnection(wire, registry, 0);

  static ByteBuffer text(Map<String, String> pairs) {
    return ByteBuffer.wrap(TextParameters.encode(pairs));
  }

  static Map<String, String> text(ByteBuffer data) throws Exception {
    return TextParameters.parse(TextParameters.bytes(data));
  }

  LoginResponse login(int csg, int nsg, boolean transit, Map<String, String> keys) {
    connection.received(new LoginRequest(transit, false, csg, nsg, 0, 0, 0x23d000000001L, 0, 1, 0, 10, 0, text(keys)));
    return (LoginResponse) wire.last();
  }

  LoginResponse loginNormal(Map<String, String> extra) {
    LinkedHashMap<String, String> keys = new LinkedHashMap<>();
    keys.put("InitiatorName", INITIATOR);
    keys.put("TargetName", open.name());
    keys.put("SessionType", "Normal");
    keys.putAll(extra);
    return login(1, 3, true, keys);
  }

  @Test
  void loginStraightToFullFeatureWithoutAuthentication() throws Exception {
    LoginResponse r = loginNormal(Map.of("MaxRecvDataSegmentLength", "8192", "HeaderDigest", "CRC32C"));
    assertThat(r.statusClass()).isZero();
    assertThat(r.transit()).isTrue();
    assertThat(r.nextStage()).isEqualTo(3);
    assertThat(r.tsih()).isNotZero();
    assertThat(text(r.data())).containsEntry("TargetPortalGroupTag", "1").containsEntry("HeaderDigest", "CRC32C");
    assertThat(wire.framing.headerDigest()).isTrue();
    assertThat(wire.framing.maxRecvDataSegmentLength()).isEqualTo(262_144);
  }

  @Test
  void nonLoginPduDuringLoginIsRefusedAndClosesTheConnection() {
    connection.received(new NopOut(true, 0, 5, -1, 0, 0, Pdu.NO_DATA));
    LoginResponse r = (LoginResponse) wire.last();
    assertThat(r.statusClass()).isEqualTo(LoginStatus.INVALID_DURING_LOGIN.statusClass);
    assertThat(r.statusDetail()).isEqualTo(LoginStatus.INVALID_DURING_LOGIN.detail);
    assertThat(wire.closed).isTrue();
  }

  @Test
  void unknownTargetIsNotFound() {
    LoginResponse r = login(1, 3, true, Map.of("InitiatorName", INITIATOR, "TargetName", "iqn.2026-11.io.strata:nope"));
    assertThat(r.statusClass()).isEqualTo(2);
    assertThat(r.statusDetail()).isEqualTo(LoginStatus.NOT_FOUND.detail);
    assertThat(wire.closed).isTrue();
  }

  @Test
  void targetThatDoesNotAdmitTheInitiatorRefusesLogin() {
    LoginResponse r = login(1, 3, true, Map.of("InitiatorName", INITIATOR, "TargetName", hidden.name()));
    assertThat(r.statusDetail()).isEqualTo(LoginStatus.AUTHORIZATION_FAILURE.detail);
  }

  @Test
  void chapTargetRefusesInitiatorThatSkipsSecurity() {
    TargetDefinition guarded = new TargetDefinition("iqn.2026-11.io.strata:t.chap", List.of(PORTAL_A),
        new Authentication(ChapCredentials.parse("user:twelve-bytes!"), null), Set.of(), scsi);
    SessionRegistry reg = new SessionRegistry(new Targets(List.of(guarded)), TargetLimits.DEFAULT, NO_DELAY);
    Wire w = new Wire();
    IscsiConnection c = new IscsiConnection(w, reg, 0);
    c.received(new LoginRequest(true, false, 1, 3, 0, 0, 1, 0, 1, 0, 1, 0,
        text(Map.of("InitiatorName", INITIATOR, "TargetName", guarded.name()))));
    assertThat(((LoginResponse) w.last()).statusDetail()).isEqualTo(LoginStatus.AUTHENTICATION_FAILURE.detail);
    assertThat(w.closed).isTrue();
  }

  @Test
  void discoveryShowsOnlyVisibleTargetsWithEveryPortal() throws Exception {
    LoginResponse r = login(1, 3, true, Map.of("InitiatorName", INITIATOR, "SessionType", "Discovery"));
    assertThat(r.statusClass()).isZero();
    connection.received(new TextRequest(true, true, false, 0, 7, -1, 10, r.statSn() + 1,
        text(Map.of("SendTargets", "All"))));
    TextResponse t = (TextResponse) wire.last();
    String answer = StandardCharsets.UTF_8.decode(t.data()).toString();
    assertThat(answer).isEqualTo(
        "TargetName=iqn.2026-11.io.strata:t.open\0"
            + "TargetAddress=127.0.0.1:3260,1\0"
            + "TargetAddress=127.0.0.2:3260,2\0");
    assertThat(t.finalPdu()).isTrue();
  }

  @Test
  void sendTargetsLongerThanMaxRecvDataSegmentLengthIsSentInPieces() throws Exception {
    List<TargetDefinition> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(new TargetDefinition("iqn.2026-11.io.strata:tenant-" + i + ".a-rather-long-array-name",
          List.of(PORTAL_A, PORTAL_B), Authentication.NONE, Set.of(), scsi));
    }
    SessionRegistry reg = new SessionRegistry(new Targets(many), TargetLimits.DEFAULT);
    Wire w = new Wire();
    IscsiConnection c = new IscsiConnection(w, reg, 0);
    c.received(new LoginRequest(true, false, 1, 3, 0, 0, 1, 0, 1, 0, 1, 0,
        text(Map.of("InitiatorName", INITIATOR, "SessionType", "Discovery", "MaxRecvDataSegmentLength", "512"))));
    c.received(new TextRequest(true, true, false, 0, 7, -1, 1, 0, text(Map.of("SendTargets", "All"))));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int pieces = 0;
    while (true) {
      TextResponse t = (TextResponse) w.last();
      assertThat(t.data().remaining()).isLessThanOrEqualTo(512);
      all.write(TextParameters.bytes(t.data()));
      pieces++;
      if (t.finalPdu()) {
        assertThat(t.ttt()).isEqualTo(-1);
        break;
      }
      assertThat(t.continues()).isTrue();
      c.received(new TextRequest(true, true, false, 0, 7, t.ttt(), 1, 0, Pdu.NO_DATA));
    }
    assertThat(pieces).isGreaterThan(5);
    String text = all.toString(StandardCharsets.UTF_8);
    assertThat(text.split("TargetName=", -1)).hasSize(41);
    assertThat(text).endsWith("TargetAddress=127.0.0.2:3260,2\0");
  }

  @Test
  void writeGathersImmediateAndSolicitedDataBeforeExecuting() {
    loginNormal(Map.of("InitialR2T", "Yes", "ImmediateData", "Yes", "MaxBurstLength", "1024",
        "MaxRecvDataSegmentLength", "8192"));
    byte[] payload = new byte[2048];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 7);
    }
    byte[] cdb = new byte[16];
    cdb[0] = 0x2a;
    cdb[5] = 3; // LBA 3
    cdb[8] = 4; // 4 blocks
    connection.received(new ScsiCommandPdu(false, true, false, true, 1, 0, 42, 2048, 10, 0, cdb,
        ByteBuffer.wrap(payload, 0, 512)));
    ReadyToTransfer r2t = (ReadyToTransfer) wire.last();
    assertThat(r2t.bufferOffset()).isEqualTo(512);
    assertThat(r2t.desiredLength()).isEqualTo(1024);
    assertThat(scsi.commands.get()).isZero();
    connection.received(new DataOut(false, 0, 42, r2t.ttt(), 0, 0, 512, ByteBuffer.wrap(payload, 512, 512)));
    connection.received(new DataOut(true, 0, 42, r2t.ttt(), 0, 1, 1024, ByteBuffer.wrap(payload, 1024, 512)));
    ReadyToTransfer second = (ReadyToTransfer) wire.sent.stream()
        .filter(p -> p instanceof ReadyToTransfer).reduce((a, b) -> b).orElseThrow();
    assertThat(second.bufferOffset()).isEqualTo(1536);
    assertThat(second.r2tSn()).isEqualTo(1);
    connection.received(new DataOut(true, 0, 42, second.ttt(), 0, 0, 1536, ByteBuffer.wrap(payload, 1536, 512)));
    ScsiResponsePdu done = (ScsiResponsePdu) wire.last();
    assertThat(done.status()).isZero();
    assertThat(done.itt()).isEqualTo(42);
    assertThat(done.expDataSn()).isEqualTo(2); // two R2Ts
    assertThat(scsi.block(3)).containsExactly(java.util.Arrays.copyOfRange(payload, 0, 512));
    assertThat(scsi.block(6)).containsExactly(java.util.Arrays.copyOfRange(payload, 1536, 2048));
  }

  @Test
  void dataOutWithWrongDataSnFailsTheCommandNotTheConnection() {
    loginNormal(Map.of("InitialR2T", "Yes", "ImmediateData", "No"));
    byte[] cdb = new byte[16];
    cdb[0] = 0x2a;
    cdb[8] = 1;
    connection.received(new ScsiCommandPdu(false, true, false, true, 1, 0, 9, 512, 10, 0, cdb, Pdu.NO_DATA));
    ReadyToTransfer r2t = (ReadyToTransfer) wire.last();
    connection.received(new DataOut(true, 0, 9, r2t.ttt(), 0, 27, 0, ByteBuffer.allocate(512)));
    assertThat(wire.sent).anySatisfy(p -> assertThat(p).isInstanceOf(Reject.class));
    ScsiResponsePdu failed = (ScsiResponsePdu) wire.last();
    assertThat(failed.status()).isEqualTo(2);
    assertThat(wire.closed).isFalse();
    assertThat(scsi.commands.get()).isZero();
  }

  @Test
  void immediateDataWhenNotNegotiatedIsRejected() {
    loginNormal(Map.of("ImmediateData", "No"));
    byte[] cdb = new byte[16];
    cdb[0] = 0x2a;
    cdb[8] = 1;
    connection.received(new ScsiCommandPdu(false, true, false, true, 1, 0, 9, 512, 10, 0, cdb, ByteBuffer.allocate(512)));
    assertThat(wire.last()).isInstanceOfSatisfying(Reject.class,
        r -> assertThat(r.reason()).isEqualTo(Reject.PROTOCOL_ERROR));
    assertThat(scsi.commands.get()).isZero();
  }

  @Test
  void loginPduInFullFeaturePhaseIsRejectedAndClosesTheConnection() {
    loginNormal(Map.of());
    connection.received(new LoginRequest(true, false, 1, 3, 0, 0, 1, 0, 1, 0, 1, 0, Pdu.NO_DATA));
    assertThat(wire.last()).isInstanceOf(Reject.class);
    assertThat(wire.closed).isTrue();
  }

  @Test
  void scsiCommandInDiscoverySessionIsRejected() {
    login(1, 3, true, Map.of("InitiatorName", INITIATOR, "SessionType", "Discovery"));
    connection.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 9, 0, 10, 0, new byte[16], Pdu.NO_DATA));
    assertThat(wire.last()).isInstanceOf(Reject.class);
    assertThat(scsi.commands.get()).isZero();
  }

  @Test
  void commandsOutsideTheWindowAreIgnoredAndGapsWait() {
    loginNormal(Map.of());
    byte[] tur = new byte[16];
    int before = wire.sent.size();
    connection.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 1, 0, 9, 0, tur, Pdu.NO_DATA)); // too low
    connection.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 2, 0, 10 + 128, 0, tur, Pdu.NO_DATA)); // beyond MaxCmdSN
    assertThat(wire.sent).hasSize(before);
    connection.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 3, 0, 11, 0, tur, Pdu.NO_DATA)); // gap
    assertThat(wire.sent).hasSize(before);
    connection.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 4, 0, 10, 0, tur, Pdu.NO_DATA));
    assertThat(wire.sent).hasSize(before + 2);
    assertThat(((ScsiResponsePdu) wire.sent.get(before)).itt()).isEqualTo(4);
    assertThat(((ScsiResponsePdu) wire.last()).itt()).isEqualTo(3);
    assertThat(((ScsiResponsePdu) wire.last()).expCmdSn()).isEqualTo(12);
  }

  @Test
  void idleConnectionIsPingedAndClosedWhenThePingGoesUnanswered() {
    loginNormal(Map.of());
    connection.idle();
    io.strata.engine.iscsi.pdu.NopIn ping = (io.strata.engine.iscsi.pdu.NopIn) wire.last();
    assertThat(ping.itt()).isEqualTo(-1);
    assertThat(ping.ttt()).isNotEqualTo(-1);
    connection.received(new NopOut(true, 0, -1, ping.ttt(), 10, ping.statSn(), Pdu.NO_DATA));
    connection.idle();
    assertThat(wire.closed).as("answered ping keeps the connection").isFalse();
    connection.idle();
    assertThat(wire.closed).as("unanswered ping closes it").isTrue();
  }

  @Test
  void nopOutPingIsAnsweredWithItsData() {
    loginNormal(Map.of());
    connection.received(new NopOut(true, 0, 77, -1, 10, 0, ByteBuffer.wrap(new byte[] {9, 8, 7})));
    io.strata.engine.iscsi.pdu.NopIn pong = (io.strata.engine.iscsi.pdu.NopIn) wire.last();
    assertThat(pong.itt()).isEqualTo(77);
    assertThat(pong.ttt()).isEqualTo(-1);
    assertThat(TextParameters.bytes(pong.data())).containsExactly(9, 8, 7);
  }

  @Test
  void secondConnectionJoinsTheSessionAndCmdSnOrdersAcrossBoth() {
    LoginResponse first = loginNormal(Map.of("MaxConnections", "2"));
    Wire wire2 = new Wire();
    IscsiConnection second = new IscsiConnection(wire2, registry, 0);
    second.received(new LoginRequest(true, false, 1, 3, 0, 0, 0x23d000000001L, first.tsih(), 1, 1, 10, 0,
        text(Map.of("InitiatorName", INITIATOR, "TargetName", open.name()))));
    LoginResponse joined = (LoginResponse) wire2.last();
    assertThat(joined.statusClass()).isZero();
    assertThat(joined.tsih()).isEqualTo(first.tsih());

    byte[] tur = new byte[16];
    int before1 = wire.sent.size();
    // CmdSN 11 arrives on the second connection before CmdSN 10 on the first: it must wait.
    second.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 21, 0, 11, 0, tur, Pdu.NO_DATA));
    assertThat(wire2.last()).isInstanceOf(LoginResponse.class);
    connection.received(new ScsiCommandPdu(false, true, false, false, 1, 0, 20, 0, 10, 0, tur, Pdu.NO_DATA));
    assertThat(((ScsiResponsePdu) wire.sent.get(before1)).itt()).isEqualTo(20);
    // Each response goes back on the connection its command came on.
    assertThat(((ScsiResponsePdu) wire2.last()).itt()).isEqualTo(21);
    assertThat(((ScsiResponsePdu) wire2.last()).expCmdSn()).isEqualTo(12);

    // A third connection exceeds MaxConnections=2.
    Wire wire3 = new Wire();
    new IscsiConnection(wire3, registry, 0).received(new LoginRequest(true, false, 1, 3, 0, 0, 0x23d000000001L,
        first.tsih(), 1, 2, 12, 0, text(Map.of("InitiatorName", INITIATOR, "TargetName", open.name()))));
    assertThat(((LoginResponse) wire3.last()).statusDetail()).isEqualTo(LoginStatus.TOO_MANY_CONNECTIONS.detail);
  }

  @Test
  void joiningAnUnknownSessionFails() {
    connection.received(new LoginRequest(true, false, 1, 3, 0, 0, 0x23d000000001L, 999, 1, 1, 10, 0,
        text(Map.of("InitiatorName", INITIATOR, "TargetName", open.name()))));
    assertThat(((LoginResponse) wire.last()).statusDetail()).isEqualTo(LoginStatus.SESSION_DOES_NOT_EXIST.detail);
  }
}
