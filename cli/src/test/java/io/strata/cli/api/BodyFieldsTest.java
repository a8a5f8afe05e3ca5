package io.strata.cli.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodyFieldsTest {
  @Test
  void valuesAreTypedNestedAndRawJsonIsTakenAsItIs() {
    assertThat(BodyFields.parse(null, List.of("name=web", "ssdDrives=2", "ha=true", "zone=null", "admin.email=a@b.c",
        "admin.name=Ann", "tags:=[\"x\",1]", "code:=\"10\"", "ratio=1.5", "big=12345678901234567890")).toString())
        .isEqualTo("{\"name\":\"web\",\"ssdDrives\":2,\"ha\":true,\"zone\":null,\"admin\":{\"email\":\"a@b.c\",\"name\":\"Ann\"},"
            + "\"tags\":[\"x\",1],\"code\":\"10\",\"ratio\":\"1.5\",\"big\":\"12345678901234567890\"}");
  }

  @Test
  void argumentsOverrideTheFilesFields() throws Exception {
    var file = new ObjectMapper().readTree("{\"name\":\"a\",\"sizeGib\":1}");
    assertThat(BodyFields.parse(file, List.of("sizeGib=5")).toString()).isEqualTo("{\"name\":\"a\",\"sizeGib\":5}");
    assertThat(file.toString()).isEqualTo("{\"name\":\"a\",\"sizeGib\":1}");
  }

  @Test
  void malformedArgumentsAreUsageErrorsNamingThem() {
    assertThatThrownBy(() -> BodyFields.parse(null, List.of("name")))
        .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("'name' is not FIELD=VALUE");
    assertThatThrownBy(() -> BodyFields.parse(null, List.of("a b=1"))).hasMessageContaining("'a b' is not a field name");
    assertThatThrownBy(() -> BodyFields.parse(null, List.of("tags:=[1,"))).hasMessageContaining("tags:= is not JSON");
  }
}
