package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.blocks;
import static io.strata.engine.scsi.ScsiHarness.data;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static io.strata.engine.scsi.ScsiSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtendedCopyTest {
  @TempDir Path dir;
  ScsiHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = new ScsiHarness(dir, 1024, 0, 1);
    h.clearUnitAttentions(A);
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  private static byte[] targetDescriptor(LogicalUnit lu) {
    byte[] d = new byte[32];
    d[0] = (byte) 0xe4;
    d[4] = 0x01;
    d[5] = 0x03;
    d[7] = 16;
    System.arraycopy(lu.naa(), 0, d, 8, 16);
    d[30] = 0x02; // DISK BLOCK LENGTH 000200h: 512 bytes
    return d;
  }

  private static byte[] segment(int src, int dst, int blocks, long srcLba, long dstLba) {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.put((byte) 0x02).put((byte) 0).putShort((short) 24);
    b.putShort((short) src).putShort((short) dst).putShort((short) 0).putShort((short) blocks);
    b.putLong(srcLba).putLong(dstLba);
    return b.array();
  }

  private static byte[] list(int listId, int usage, byte[][] targets, byte[][] segments) {
    int tl = 32 * targets.length;
    int sl = 28 * segments.length;
    ByteBuffer b = ByteBuffer.allocate(16 + tl + sl);
    b.put((byte) listId).put((byte) (usage << 3)).putShort((short) tl).putInt(0).putInt(sl)
        .putInt(0);
    for (byte[] t : targets) {
      b.put(t);
    }
    for (byte[] s : segments) {
      b.put(s);
    }
    return b.array();
  }

  private ScsiResponse xcopy(byte[] list) {
    return h.run(String.format("83 00 00 00 00 00 00 00 00 00 %08x 00 00", list.length), list);
  }

  @Test
  void copiesBlocksBetweenLogicalUnitsAndReportsStatus() {
    h.run("2a 00 00 00 00 00 00 00 10 00", blocks(16, 0x33));
    byte[] l = list(7, 0,
        new byte[][] {targetDescriptor(h.luns.get(0)), targetDescriptor(h.luns.get(1))},
        new byte[][] {segment(0, 1, 16, 0, 100)});
    assertThat(xcopy(l).status()).isEqualTo(GOOD);
    assertThat(data(h.run(A, 1, "28 00 00 00 00 64 00 00 10 00", new byte[0])))
        .containsOnly(0x33);
    byte[] status = data(h.run("84 00 07 00 00 00 00 00 00 00 00 00 01 00 00 00"));
    assertThat(status[4]).isEqualTo((byte) 0x01);
    assertThat(Cdb.u16(status, 5)).isEqualTo(1);
    assertThat(Cdb.u32(status, 8)).isEqualTo(8); // 8 KiB
    assertThat(sense(h.run("84 00 08 00 00 00 00 00 00 00 00 00 01 00 00 00")).ascq())
        .isEqualTo(ASC_INVALID_FIELD_IN_CDB);
  }

  @Test
  void descriptorErrorsGetTheirOwnSense() {
    byte[] td = targetDescriptor(h.luns.get(0));
    byte[][] tooManyTargets = new byte[ExtendedCopy.MAX_TARGET_DESCRIPTORS + 1][];
    java.util.Arrays.fill(tooManyTargets, td);
    assertThat(sense(xcopy(list(1, 0, tooManyTargets, new byte[][] {segment(0, 0, 1, 0, 1)})))
            .ascq())
        .isEqualTo(ASC_TOO_MANY_TARGET_DESCRIPTORS);

    byte[] fc = td.clone();
    fc[0] = (byte) 0xe0;
    assertThat(sense(xcopy(list(1, 0, new byte[][] {fc}, new byte[][] {segment(0, 0, 1, 0, 1)})))
            .ascq())
        .isEqualTo(ASC_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE);

    byte[] seg = segment(0, 0, 1, 0, 1);
    seg[0] = 0x09;
    assertThat(sense(xcopy(list(1, 0, new byte[][] {td}, new byte[][] {seg}))).ascq())
        .isEqualTo(ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE);

    ScsiResponse unreachable =
        xcopy(list(1, 0, new byte[][] {td}, new byte[][] {segment(0, 1, 1, 0, 1)}));
    assertThat(sense(unreachable).senseKey()).isEqualTo(COPY_ABORTED);

    ScsiResponse beyond =
        xcopy(list(1, 0, new byte[][] {td}, new byte[][] {segment(0, 0, 16, 0, 1020)}));
    assertThat(sense(beyond).senseKey()).isEqualTo(COPY_ABORTED);

    byte[] full = list(1, 0, new byte[][] {td}, new byte[][] {segment(0, 0, 1, 0, 1)});
    byte[] truncated = java.util.Arrays.copyOf(full, 16 + 31);
    assertThat(sense(xcopy(truncated)).ascq()).isEqualTo(ASC_PARAMETER_LIST_LENGTH_ERROR);
    assertThat(h.run("83 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00").status())
        .isEqualTo(GOOD);
  }

  @Test
  void operatingParametersAdvertiseTheLimits() {
    byte[] op = data(h.run("84 03 00 00 00 00 00 00 00 00 00 00 01 00 00 00"));
    assertThat(Cdb.u16(op, 8)).isEqualTo(ExtendedCopy.MAX_TARGET_DESCRIPTORS);
    assertThat(Cdb.u16(op, 10)).isEqualTo(ExtendedCopy.MAX_SEGMENT_DESCRIPTORS);
    assertThat(op[43]).isEqualTo((byte) 2);
  }
}
