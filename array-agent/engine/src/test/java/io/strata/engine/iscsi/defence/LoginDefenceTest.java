package io.strata.engine.iscsi.defence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.iscsi.initiator.InitiatorSession;
import io.strata.engine.iscsi.initiator.LoginRefusedException;
import io.strata.engine.iscsi.login.AuthFailureThrottle;
import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.iscsi.session.IscsiConnection;
import io.strata.engine.transport.ConnectionLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What an attacker at the iSCSI port meets, through real TCP logins: failed CHAP logins answered
 * slower and slower (others not), connection limits per address and in total, wire text escaped
 * in logs, negotiation values outside the RFC 7143 ranges refused.
 */
class LoginDefenceTest {
  static final String ATTACKER = "iqn.2026-12.org.example:guesser";
  static final String TENANT = "iqn.2026-12.org.example:tenant-host";
  static final ChapCredentials WRONG =
      new ChapCredentials("tenant", "not-the-secret-at-all".getBytes(StandardCharsets.UTF_8));
  /** 10 ms doubling to 160 ms; a burst ends after 1 s of quiet. */
  static final AuthFailureThrottle.Policy FAST = new AuthFailureThrottle.Policy(
      Duration.ofMillis(10), Duration.ofMillis(160), Duration.ofSeconds(1));

  @Test
  void wrongChapLoginsAreAnsweredSlowerAndSlowerWhileAnotherInitiatorLogsInAtOnce()
      throws Exception {
    try (DefendedTarget target = new DefendedTarget(true, ConnectionLimits.defaults(), FAST);
        CapturedLog log = new CapturedLog(AuthFailureThrottle.class)) {
      List<Long> answeredAfter = new ArrayList<>();
      CompletableFuture<Long> tenantLogin = null;
      long start = System.nanoTime();
      for (int i = 0; i < 20; i++) {
        long before = System.nanoTime();
        assertThatThrownBy(() -> InitiatorSession.open(target.config(ATTACKER, WRONG), 1).close())
            .isInstanceOfSatisfying(LoginRefusedException.class,
                e -> assertThat(e.authenticationFailure()).isTrue());
        answeredAfter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before));
        if (i == 10) {
          // From the same address, while the attacker's failures wait for their answer.
          tenantLogin = CompletableFuture.supplyAsync(() -> timedLogin(target));
        }
      }
      long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // 10 + 20 + 40 + 80 + 16 x 160 ms at least.
      assertThat(total).isGreaterThanOrEqualTo(2710);
      assertThat(answeredAfter.get(19)).isGreaterThanOrEqualTo(160);
      assertThat(answeredAfter.get(19)).isGreaterThan(answeredAfter.get(0));
      // That it is not held behind the attacker's failures is failuresWaitingForTheirAnswerHoldNoThread's
      // point, told by order rather than by a time a loaded machine can miss.
      tenantLogin.get(30, TimeUnit.SECONDS); // a right login meanwhile: throws unless it logged in

      assertThat(log.containing("authentication failed for address 127.0.0.1"))
          .as("one line when the burst starts, not one per failure").hasSize(1);
      Thread.sleep(1100);
      target.service.sessions().authFailures().endQuietBursts();
      assertThat(log.containing("burst for address 127.0.0.1 ended: 20 failure(s)"))
          .hasSize(1);
      assertThat(log.containing("burst for initiator " + ATTACKER + " ended: 20 failure(s)"))
          .hasSize(1);
      assertThat(log.lines).hasSize(4);
    }
  }

  @Test
  void failuresWaitingForTheirAnswerHoldNoThread() throws Exception {
    // Each failure waits 8 s; four of them pending would stall both I/O threads if they slept.
    AuthFailureThrottle.Policy slow = new AuthFailureThrottle.Policy(
        Duration.ofMillis(8000), Duration.ofMillis(8000), Duration.ofSeconds(60));
    try (DefendedTarget target = new DefendedTarget(true, ConnectionLimits.defaults(), slow)) {
      List<CompletableFuture<Long>> guesses = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int isid = 10 + i;
        String name = ATTACKER + i;
        guesses.add(CompletableFuture.supplyAsync(() -> {
          long before = System.nanoTime();
          try {
            InitiatorSession.open(target.config(name, WRONG), isid).close();
            throw new AssertionError("a wrong secret logged in");
          } catch (LoginRefusedException expected) {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }));
      }
      Thread.sleep(1000); // the four are refused now and wait for their answer
      timedLogin(target);
      // Told by order, not by a time a loaded machine can miss: the right login was answered
      // while every wrong one still waited for its answer.
      assertThat(guesses).as("wrong logins answered before the right one").noneMatch(CompletableFuture::isDone);
      for (CompletableFuture<Long> g : guesses) {
        assertThat(g.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(8000);
      }
    }
  }

  private static long timedLogin(DefendedTarget target) {
    long before = System.nanoTime();
    try (InitiatorSession s = InitiatorSession.open(target.config(TENANT, DefendedTarget.CHAP), 2)) {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theConnectionOverTheLimitOfItsAddressIsClosedWhileAnotherAddressStillConnects()
      throws Exception {
    try (DefendedTarget target = new DefendedTarget(false, new ConnectionLimits(5, 2),
        AuthFailureThrottle.Policy.DEFAULT)) {
      List<RawIscsi> held = new ArrayList<>();
      try {
        held.add(RawIscsi.connect(target.port, "127.0.0.1"));
        held.add(RawIscsi.connect(target.port, "127.0.0.1"));
        awaitOpen(target, 2);
        try (RawIscsi third = RawIscsi.connect(target.port, "127.0.0.1")) {
          assertThat(third.closedByTarget()).as("third from 127.0.0.1").isTrue();
        }
        try (RawIscsi other = RawIscsi.connect(target.port, "127.0.0.2")) {
          assertThat(loginWithoutChap(other).status()).as("login from 127.0.0.2").isZero();
        }
        // The target must have seen 127.0.0.2 go before three more arrive, or the last of them
        // would meet a total of six and be refused.
        awaitOpen(target, 2);
        held.add(RawIscsi.connect(target.port, "127.0.0.3"));
        held.add(RawIscsi.connect(target.port, "127.0.0.3"));
        held.add(RawIscsi.connect(target.port, "127.0.0.4"));
        awaitOpen(target, 5);
        try (RawIscsi sixth = RawIscsi.connect(target.port, "127.0.0.5")) {
          assertThat(sixth.closedByTarget()).as("over the total of 5").isTrue();
        }
        held.remove(0).close();
        awaitOpen(target, 4);
        try (RawIscsi again = RawIscsi.connect(target.port, "127.0.0.1")) {
          assertThat(loginWithoutChap(again).status()).as("a freed slot is used again").isZero();
        }
      } finally {
        for (RawIscsi c : held) {
          c.close();
        }
      }
    }
  }

  private static void awaitOpen(DefendedTarget target, int n) throws InterruptedException {
    for (int i = 0; i < 200 && target.tcp.limits().open() != n; i++) {
      Thread.sleep(10);
    }
    assertThat(target.tcp.limits().open()).isEqualTo(n);
  }

  private static RawIscsi.Answer loginWithoutChap(RawIscsi c) throws Exception {
    return loginWithoutChap(c, TENANT, Map.of());
  }

  private static RawIscsi.Answer loginWithoutChap(RawIscsi c, String initiator,
      Map<String, String> more) throws Exception {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("InitiatorName", initiator);
    keys.put("SessionType", "Normal");
    keys.put("TargetName", DefendedTarget.TARGET);
    keys.put("AuthMethod", "None");
    keys.putAll(more);
    c.login(0, true, 1, keys);
    RawIscsi.Answer a = c.read();
    assertThat(a).as("an answer to the login").isNotNull();
    return a;
  }

  @Test
  void controlCharactersFromTheWireReachTheLogEscaped() throws Exception {
    try (DefendedTarget target = new DefendedTarget(false, ConnectionLimits.defaults(),
        AuthFailureThrottle.Policy.DEFAULT);
        CapturedLog log = new CapturedLog(IscsiConnection.class)) {
      String forged = "iqn.x\nINFO: login from 10.0.0.9 accepted\u001b[2K\r";
      try (RawIscsi c = RawIscsi.connect(target.port, null)) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", forged);
        keys.put("TargetName", "iqn.no-such\ntarget");
        keys.put("AuthMethod", "None");
        c.login(0, true, 1, keys);
        assertThat(c.read().status()).isEqualTo(0x0203); // not found
      }
      for (int i = 0; i < 100 && log.containing("refused").isEmpty(); i++) {
        Thread.sleep(10);
      }
      assertThat(log.containing("refused")).singleElement().satisfies(line -> {
        assertThat(line).contains("iqn.no-such\\ntarget");
        assertThat(line).doesNotContain("\n", "\r", "\u001b");
      });
    }
  }

  @Test
  void maxRecvDataSegmentLengthOutsideItsRfcRangeIsAnInitiatorError() throws Exception {
    try (DefendedTarget target = new DefendedTarget(false, ConnectionLimits.defaults(),
        AuthFailureThrottle.Policy.DEFAULT)) {
      for (String bad : List.of("100", "511", "16777216", "0x1000000", "-1", "lots")) {
        try (RawIscsi c = RawIscsi.connect(target.port, null)) {
          RawIscsi.Answer a = loginWithoutChap(c, TENANT, Map.of("MaxRecvDataSegmentLength", bad));
          assertThat(a.status()).as("MaxRecvDataSegmentLength=" + bad).isEqualTo(0x0200);
          assertThat(c.closedByTarget()).isTrue();
        }
      }
      for (String good : List.of("512", "16777215")) {
        try (RawIscsi c = RawIscsi.connect(target.port, null)) {
          RawIscsi.Answer a = loginWithoutChap(c, TENANT, Map.of("MaxRecvDataSegmentLength", good));
          assertThat(a.status()).as("MaxRecvDataSegmentLength=" + good).isZero();
        }
      }
    }
  }
}
