package io.strata.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.engine.iscsi.login.ChapCredentials;
import io.strata.engine.layout.ArrayLayout;
import io.strata.engine.transport.Portal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access from the layout or the command line, never both; what each initiator may do. */
class TargetAccessTest {
  static final String IQN = "iqn.2026-11.io.strata:t.access";
  static final String WEB = "iqn.2026-11.io.strata:host.web";
  static final String DB = "iqn.2026-11.io.strata:host.db";
  @TempDir Path dir;

  ArrayLayout layout(String access) throws IOException {
    Path file = dir.resolve("array.json");
    Files.writeString(file, "{" + access + "}");
    return ArrayLayout.read(file);
  }

  static TargetAccess access(ChapCredentials chap, ChapCredentials mutual,
      Map<String, InitiatorSpec> initiators, ArrayLayout layout) {
    return new TargetAccess(IQN, List.of(Portal.parse("127.0.0.1:3260", 1)), chap, mutual,
        initiators, layout);
  }

  static final String TWO = """
      "mutualChap": {"user": "target", "secret": "target-secret-01"},
      "initiators": [{"iqn": "%s", "chap": {"user": "web", "secret": "web-secret-0001"},
                      "luns": [0, 3]},
                     {"iqn": "%s"}]""".formatted(WEB, DB);

  @Test
  void theLayoutsInitiatorsDecideWhoSeesWhat() throws IOException {
    TargetAccess.Rules rules = access(null, null, Map.of(), null).rulesFor(layout(TWO));
    assertThat(rules.admits(WEB)).isTrue();
    assertThat(rules.admits("iqn.2026-11.io.strata:host.stranger")).isFalse();
    assertThat(rules.sees(WEB, 3)).isTrue();
    assertThat(rules.sees(WEB, 1)).isFalse();
    assertThat(rules.sees(DB, 0)).as("no luns listed: none").isFalse();
    assertThat(rules.perInitiator().get(WEB).initiator().user()).isEqualTo("web");
    assertThat(rules.perInitiator().get(WEB).target().user()).isEqualTo("target");
    assertThat(rules.perInitiator()).doesNotContainKey(DB);
    assertThat(rules.targetWide().required()).isFalse();
  }

  @Test
  void withoutInitiatorsAnyoneSeesEveryLun() throws IOException {
    TargetAccess.Rules rules = access(null, null, Map.of(), null).rulesFor(layout(""));
    assertThat(rules.admits(WEB)).isTrue();
    assertThat(rules.sees(DB, 7)).isTrue();
  }

  @Test
  void anEmptyInitiatorListAdmitsNobody() throws IOException {
    TargetAccess access = access(null, null, Map.of(), null);
    TargetAccess.Rules rules = access.rulesFor(layout("\"initiators\": []"));
    assertThat(rules.admits(WEB)).isFalse();
    assertThat(rules.sees(WEB, 0)).isFalse();
    assertThat(access.rulesFor(layout("\"initiators\": []")).open()).isFalse();
    var target = new TargetAccess(IQN, List.of(Portal.parse("127.0.0.1:3260", 1)), null, null,
        Map.of(), layout("\"initiators\": []")).definition(null);
    assertThat(target.admits(WEB)).as("discovery and login refused").isFalse();
  }

  @Test
  void theCommandLineAndTheLayoutsInitiatorsDoNotMix() throws IOException {
    ArrayLayout two = layout(TWO);
    ChapCredentials chap = ChapCredentials.parse("u:cli-secret-0001");
    assertThatThrownBy(() -> access(chap, null, Map.of(), two))
        .hasMessageContaining("cannot be combined with --chap, --initiator or --mutual-chap");
    assertThatThrownBy(() -> access(null, null,
        Map.of(WEB, InitiatorSpec.parse(WEB + "=0")), two))
        .hasMessageContaining("cannot be combined");
    // A reload that brings initiators to an engine started with --chap is refused too.
    TargetAccess cli = access(chap, null, Map.of(), layout(""));
    assertThatThrownBy(() -> cli.check(two)).hasMessageContaining("cannot be combined");
    assertThat(cli.rulesFor(layout("")).targetWide().initiator().user()).isEqualTo("u");
  }
}
