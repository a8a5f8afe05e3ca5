package io.strata.engine.pool;

/**
 * Arithmetic in GF(2^8) as RAID-6 uses it (the field of Linux md's raid6 and most hardware):
 * the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), with the generator g = 2. Addition is XOR;
 * multiplication goes through log and antilog tables built once.
 *
 * <p>The Q syndrome of a stripe with data units D0..Dk-1 is g^0·D0 ⊕ g^1·D1 ⊕ … ⊕ g^(k-1)·Dk-1,
 * byte by byte. With P (the XOR) it lets any two lost units be solved for.
 */
final class Gf256 {
  static final int POLYNOMIAL = 0x11d;
  /** EXP[i] = g^i for i in 0..509 (doubled so that log a + log b needs no modulo). */
  private static final int[] EXP = new int[510];
  /** LOG[a] = i such that g^i = a, for a != 0. */
  private static final int[] LOG = new int[256];

  static {
    int x = 1;
    for (int i = 0; i < 255; i++) {
      EXP[i] = x;
      EXP[i + 255] = x;
      LOG[x] = i;
      x <<= 1;
      if (x >= 256) {
        x ^= POLYNOMIAL;
      }
    }
  }

  private Gf256() {}

  static int mul(int a, int b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return EXP[LOG[a] + LOG[b]];
  }

  /** The multiplicative inverse of a non-zero element. */
  static int inverse(int a) {
    if (a == 0) {
      throw new ArithmeticException("0 has no inverse in GF(2^8)");
    }
    return EXP[255 - LOG[a]];
  }

  /** g^i. */
  static int power(int i) {
    return EXP[Math.floorMod(i, 255)];
  }

  /** The 256 products c·x for every byte x: a table that turns a multiply into one lookup. */
  static byte[] table(int c) {
    byte[] t = new byte[256];
    for (int x = 0; x < 256; x++) {
      t[x] = (byte) mul(c, x);
    }
    return t;
  }

  /** acc[k] ^= c·src[k] over acc's length, with c's table. */
  static void mulXorInto(byte[] acc, byte[] src, byte[] table) {
    for (int k = 0; k < acc.length; k++) {
      acc[k] ^= table[src[k] & 0xff];
    }
  }

  /** buf[k] = c·buf[k] with c's table. */
  static void mulInPlace(byte[] buf, byte[] table) {
    for (int k = 0; k < buf.length; k++) {
      buf[k] = table[buf[k] & 0xff];
    }
  }
}
