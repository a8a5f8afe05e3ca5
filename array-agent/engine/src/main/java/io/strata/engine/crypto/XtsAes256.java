package io.strata.engine.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * XTS-AES-256 (IEEE 1619-2007, NIST SP 800-38E) over whole data units: the cipher of encrypted
 * volumes (docs/encryption.md). The JDK has AES but no XTS mode, so the mode is written here on
 * top of the JDK's AES in ECB mode (which HotSpot runs with the AES-NI instructions) and is
 * tested against the standard's vectors; the AES itself is the JDK's.
 *
 * <p>A data unit is one logical block (512 or 4096 bytes: always a multiple of the 16-byte AES
 * block, so ciphertext stealing is never needed), and its data unit sequence number, the tweak,
 * is the block's logical block address: the same plaintext at two addresses, or in two volumes
 * (which have different keys), gives unrelated ciphertexts.
 *
 * <p>Not thread-safe (the JDK's {@link Cipher} objects are not): one instance per thread.
 */
public final class XtsAes256 {

  /** Bytes of an XTS-AES-256 key: two AES-256 keys, the data key then the tweak key. */
  public static final int KEY_BYTES = 64;

  private static final int AES_BLOCK = 16;
  /** x^128 + x^7 + x^2 + x + 1: the reduction of a carry out of the top bit when doubling a tweak. */
  private static final long GF_128_FEEDBACK = 0x87;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final Cipher dataEncrypt;
  private final Cipher dataDecrypt;
  private final Cipher tweakEncrypt;
  private final byte[] tweak = new byte[AES_BLOCK];
  private byte[] tweaks = new byte[0];

  /**
   * @param key {@link #KEY_BYTES} bytes; its two halves must differ (SP 800-38E: equal halves
   *     weaken the mode, and FIPS 140-3 implementations refuse them)
   */
  public XtsAes256(byte[] key) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("an XTS-AES-256 key has " + KEY_BYTES + " bytes, not " + key.length);
    }
    byte[] dataKey = Arrays.copyOfRange(key, 0, 32);
    byte[] tweakKey = Arrays.copyOfRange(key, 32, 64);
    try {
      if (MessageDigest.isEqual(dataKey, tweakKey)) {
        throw new IllegalArgumentException("the two halves of an XTS key must differ");
      }
      SecretKeySpec data = new SecretKeySpec(dataKey, "AES");
      dataEncrypt = Cipher.getInstance("AES/ECB/NoPadding");
      dataEncrypt.init(Cipher.ENCRYPT_MODE, data);
      dataDecrypt = Cipher.getInstance("AES/ECB/NoPadding");
      dataDecrypt.init(Cipher.DECRYPT_MODE, data);
      tweakEncrypt = Cipher.getInstance("AES/ECB/NoPadding");
      tweakEncrypt.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(tweakKey, "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no AES/ECB/NoPadding", e);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
      Arrays.fill(tweakKey, (byte) 0);
    }
  }

  /** Encrypts the data unit {@code buf[offset, offset + length)} in place; {@code unit} is its sequence number (the LBA). */
  public void encrypt(long unit, byte[] buf, int offset, int length) {
    crypt(dataEncrypt, unit, buf, offset, length);
  }

  /** Decrypts the data unit {@code buf[offset, offset + length)} in place. */
  public void decrypt(long unit, byte[] buf, int offset, int length) {
    crypt(dataDecrypt, unit, buf, offset, length);
  }

  private void crypt(Cipher aes, long unit, byte[] buf, int offset, int length) {
    if (length <= 0 || length % AES_BLOCK != 0) {
      throw new IllegalArgumentException("a data unit is a positive multiple of 16 bytes, not " + length);
    }
    tweakStream(unit, length);
    // C = E_K1(P xor T) xor T, every 16-byte block with its own T: the tweaks are XORed over the
    // whole unit, the unit goes through AES-ECB in one call, and the tweaks are XORed again
    xorTweaks(buf, offset, length);
    try {
      aes.doFinal(buf, offset, length, buf, offset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-ECB refused a whole number of blocks", e);
    }
    xorTweaks(buf, offset, length);
  }

  /** Fills {@code tweaks[0, length)} with T_j = E_K2(unit) * alpha^j for every 16-byte block j. */
  private void tweakStream(long unit, int length) {
    if (tweaks.length < length) {
      tweaks = new byte[length];
    }
    Arrays.fill(tweak, (byte) 0);
    LONGS.set(tweak, 0, unit); // the sequence number, little-endian, in 128 bits
    try {
      tweakEncrypt.doFinal(tweak, 0, AES_BLOCK, tweak, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-ECB refused one block", e);
    }
    long low = (long) LONGS.get(tweak, 0);
    long high = (long) LONGS.get(tweak, 8);
    for (int j = 0; j < length; j += AES_BLOCK) {
      LONGS.set(tweaks, j, low);
      LONGS.set(tweaks, j + 8, high);
      // multiply by alpha in GF(2^128), the standard's little-endian bit order
      long carry = high >>> 63;
      high = (high << 1) | (low >>> 63);
      low = (low << 1) ^ (carry * GF_128_FEEDBACK);
    }
  }

  private void xorTweaks(byte[] buf, int offset, int length) {
    for (int i = 0; i < length; i += Long.BYTES) {
      LONGS.set(buf, offset + i, (long) LONGS.get(buf, offset + i) ^ (long) LONGS.get(tweaks, i));
    }
  }
}
