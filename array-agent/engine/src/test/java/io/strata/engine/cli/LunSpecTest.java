package io.strata.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LunSpecTest {
  @Test
  void plainSpecIsWritableWithOneLogicalBlockPerPhysicalBlock() {
    LunSpec spec = LunSpec.parse("3=/var/lib/strata/v1.img:2G");
    assertThat(spec.lun()).isEqualTo(3);
    assertThat(spec.path()).isEqualTo(Path.of("/var/lib/strata/v1.img"));
    assertThat(spec.sizeBytes()).isEqualTo(2L << 30);
    assertThat(spec.readOnly()).isFalse();
    assertThat(spec.physicalBlockExponent()).isZero();
  }

  @Test
  void optionsFollowTheSize() {
    LunSpec spec = LunSpec.parse("0=/tmp/snap.img:1G:ro,physical=4096");
    assertThat(spec.path()).isEqualTo(Path.of("/tmp/snap.img"));
    assertThat(spec.sizeBytes()).isEqualTo(1L << 30);
    assertThat(spec.readOnly()).isTrue();
    assertThat(spec.physicalBlockExponent()).isEqualTo(3);
  }

  @Test
  void aColonInThePathIsKeptWhenTheLastFieldIsASize() {
    LunSpec spec = LunSpec.parse("1=/data/a:b.img:512M");
    assertThat(spec.path()).isEqualTo(Path.of("/data/a:b.img"));
    assertThat(spec.sizeBytes()).isEqualTo(512L << 20);
  }

  @Test
  void unknownOptionAndBadPhysicalSizeAreRefusedClearly() {
    assertThatThrownBy(() -> LunSpec.parse("0=/tmp/x.img:1G:rw"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown LUN option 'rw'");
    assertThatThrownBy(() -> LunSpec.parse("0=/tmp/x.img:1G:physical=3000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("power of two");
    assertThatThrownBy(() -> LunSpec.parse("0=/tmp/x.img:ro"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
