package io.strata.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.cli.Environment;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path home;

  static Environment env(Path home, Map<String, String> vars) {
    return new Environment(vars, home, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false,
        new BufferedReader(new StringReader("")));
  }

  @Test
  void theFolderIsXdgConfigHomeElseDotConfig() {
    assertThat(env(home, Map.of()).configDir()).isEqualTo(home.resolve(".config/strata"));
    assertThat(env(home, Map.of("XDG_CONFIG_HOME", "/x/conf")).configDir()).isEqualTo(Path.of("/x/conf/strata"));
    assertThat(env(home, Map.of("XDG_CONFIG_HOME", "")).configDir()).isEqualTo(home.resolve(".config/strata"));
  }

  @Test
  void writtenOwnerOnlyEvenOverAFileOthersCouldRead() throws Exception {
    Path dir = home.resolve("strata");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.setPosixFilePermissions(dir.resolve("config.json"), PosixFilePermissions.fromString("rw-r--r--"));
    ConfigFile file = new ConfigFile(dir);
    ConfigFile.Content c = file.read();
    Profile p = new Profile();
    p.url = "http://127.0.0.1:8081";
    p.refreshToken = "r";
    c.profiles.put("default", p);
    file.write(c);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("config.json")))).isEqualTo("rw-------");
    assertThat(file.read().profiles.get("default").refreshToken).isEqualTo("r");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(dir.resolve("config.json")); // no temporary file left
    }
  }

  @Test
  void theProfileIsTheOptionElseStrataProfileElseTheCurrentElseDefault() {
    ConfigFile file = new ConfigFile(home.resolve("strata"));
    ConfigFile.Content c = new ConfigFile.Content();
    c.current = "lab";
    file.write(c);
    assertThat(new Profiles(file, "prod", "staging").selectedName()).isEqualTo("prod");
    assertThat(new Profiles(file, null, "staging").selectedName()).isEqualTo("staging");
    assertThat(new Profiles(file, null, null).selectedName()).isEqualTo("lab");
    assertThat(new Profiles(new ConfigFile(home.resolve("other")), null, null).selectedName()).isEqualTo("default");
  }
}
