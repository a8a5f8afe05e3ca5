package io.strata.engine.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Gf256Test {
  /** Multiplication the slow way: carry-less multiply, reduced by the polynomial bit by bit. */
  static int slowMul(int a, int b) {
    int product = 0;
    for (int i = 0; i < 8; i++) {
      if ((b & (1 << i)) != 0) {
        product ^= a << i;
      }
    }
    for (int bit = 15; bit >= 8; bit--) {
      if ((product & (1 << bit)) != 0) {
        product ^= Gf256.POLYNOMIAL << (bit - 8);
      }
    }
    return product;
  }

  @Test
  void tablesAgreeWithCarrylessMultiplication() {
    for (int a = 0; a < 256; a++) {
      for (int b = 0; b < 256; b++) {
        assertThat(Gf256.mul(a, b)).as("%d * %d", a, b).isEqualTo(slowMul(a, b));
      }
    }
  }

  @Test
  void twoGeneratesEveryNonZeroElementAndEveryOneHasAnInverse() {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 255; i++) {
      seen.add(Gf256.power(i));
    }
    assertThat(seen).hasSize(255).doesNotContain(0);
    assertThat(Gf256.power(8)).as("x^8 reduced by 0x11d").isEqualTo(0x1d);
    for (int a = 1; a < 256; a++) {
      assertThat(Gf256.mul(a, Gf256.inverse(a))).isEqualTo(1);
    }
    assertThatThrownBy(() -> Gf256.inverse(0)).isInstanceOf(ArithmeticException.class);
  }

  @Test
  void tableMultiplyMatchesMul() {
    byte[] src = new byte[256];
    for (int x = 0; x < 256; x++) {
      src[x] = (byte) x;
    }
    byte[] acc = new byte[256];
    Gf256.mulXorInto(acc, src, Gf256.table(0x53));
    for (int x = 0; x < 256; x++) {
      assertThat(acc[x] & 0xff).isEqualTo(Gf256.mul(0x53, x));
    }
    Gf256.mulInPlace(acc, Gf256.table(Gf256.inverse(0x53)));
    assertThat(acc).isEqualTo(src);
  }
}
