package io.strata.agent.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An agent started with SIGHUP ignored (nohup) starts its engines with SIGHUP restored, so their
 * layout reloads still happen (they silently did not: every reload test failed under nohup).
 */
class SighupDispositionTest {
  static final String IGNORING = "Name:\tjava\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000001\nSigCgt:\t0\n";
  static final String HANDLING = "Name:\tjava\nSigIgn:\t0000000000001000\n";

  @Test
  void readsTheSighupBitOfTheIgnoredMask() {
    assertThat(SighupDisposition.sighupIgnored(IGNORING)).isTrue();
    assertThat(SighupDisposition.sighupIgnored(HANDLING)).isFalse();
    assertThat(SighupDisposition.sighupIgnored("")).isFalse();
  }

  @Test
  void anIgnoredSighupIsRestoredForTheEngineOnly() {
    assertThat(SighupDisposition.decide(HANDLING, true)).isEmpty();
    assertThat(SighupDisposition.decide(IGNORING, true)).containsExactly("/usr/bin/env", "--default-signal=HUP");
    assertThat(SighupDisposition.decide(IGNORING, false)).isEmpty();
  }

  @Test
  void theRestoringPrefixReallyRestoresItInAProcessStartedUnderNohup() throws Exception {
    List<String> command = new ArrayList<>(List.of("nohup"));
    command.addAll(SighupDisposition.decide(IGNORING, true));
    command.addAll(List.of("grep", "SigIgn", "/proc/self/status"));
    Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    assertThat(SighupDisposition.sighupIgnored(out)).as(out).isFalse();

    Process plain = new ProcessBuilder("nohup", "grep", "SigIgn", "/proc/self/status").start();
    String ignored = new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    plain.waitFor();
    assertThat(SighupDisposition.sighupIgnored(ignored)).as("nohup alone ignores it: " + ignored).isTrue();
  }
}
