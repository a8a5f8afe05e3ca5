package io.strata.engine.iscsi.pdu;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC32C header and data digests, sent least significant byte first as initiators expect. */
public final class Digests {
  private static final byte[] ZEROS = new byte[4];

  private Digests() {}

  public static int crc32c(ByteBuffer... parts) {
    CRC32C crc = new CRC32C();
    for (ByteBuffer part : parts) {
      crc.update(part.duplicate());
    }
    return (int) crc.getValue();
  }

  /** The data digest covers the data and its padding to a multiple of four bytes. */
  public static int dataDigest(ByteBuffer data) {
    CRC32C crc = new CRC32C();
    crc.update(data.duplicate());
    crc.update(ZEROS, 0, padding(data.remaining()));
    return (int) crc.getValue();
  }

  public static int padding(int length) {
    return (4 - (length & 3)) & 3;
  }
}
