package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.B;
import static io.strata.engine.scsi.ScsiHarness.blocks;
import static io.strata.engine.scsi.ScsiHarness.data;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static io.strata.engine.scsi.ScsiSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScsiCommandsTest {
  @TempDir Path dir;
  ScsiHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = new ScsiHarness(dir, 4096, 0, 5);
    h.clearUnitAttentions(A);
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  private static void assertCheck(ScsiResponse r, int key, int ascq) {
    assertThat(r.status()).isEqualTo(CHECK_CONDITION);
    assertThat(sense(r).senseKey()).isEqualTo(key);
    assertThat(sense(r).ascq()).as("asc/ascq %04x", sense(r).ascq()).isEqualTo(ascq);
  }

  @Test
  void aNewNexusFirstSeesPowerOnResetThenGood() {
    ScsiResponse first = h.run(B, 0, "00 00 00 00 00 00", new byte[0]);
    assertCheck(first, UNIT_ATTENTION, ASC_POWER_ON_RESET);
    assertThat(h.run(B, 0, "00 00 00 00 00 00", new byte[0]).status()).isEqualTo(GOOD);
  }

  @Test
  void inquiryDoesNotConsumeAUnitAttentionButRequestSenseReturnsIt() {
    assertThat(h.run(B, 0, "12 00 00 00 60 00", new byte[0]).status()).isEqualTo(GOOD);
    ScsiResponse rs = h.run(B, 0, "03 00 00 00 12 00", new byte[0]);
    assertThat(rs.status()).isEqualTo(GOOD);
    SenseData s = SenseData.parse(data(rs));
    assertThat(s.senseKey()).isEqualTo(UNIT_ATTENTION);
    assertThat(h.run(B, 0, "00 00 00 00 00 00", new byte[0]).status()).isEqualTo(GOOD);
  }

  @Test
  void unknownOpcodeIsInvalidCommandOperationCode() {
    assertCheck(h.run("ff 00 00 00 00 00"), ILLEGAL_REQUEST, ASC_INVALID_COMMAND_OPERATION_CODE);
  }

  @Test
  void unknownServiceActionPointsAtByteOne() {
    ScsiResponse r = h.run("9e 1f 00 00 00 00 00 00 00 00 00 00 00 20 00 00");
    assertCheck(r, ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    assertThat(sense(r).fieldPointer()).isEqualTo(new SenseData.FieldPointer(true, 1, 4));
  }

  @Test
  void missingLunAnswersInquiryWithQualifierThreeAndRejectsIo() {
    ScsiResponse inq = h.run(A, 3, "12 00 00 00 24 00", new byte[0]);
    assertThat(data(inq)[0]).isEqualTo((byte) 0x7f);
    assertCheck(h.run(A, 3, "28 00 00 00 00 00 00 00 01 00", new byte[0]), ILLEGAL_REQUEST,
        ASC_LOGICAL_UNIT_NOT_SUPPORTED);
  }

  @Test
  void standardInquiryNamesStrataVpsaWithAluaAnd3pc() {
    byte[] d = data(h.run("12 00 00 00 ff 00"));
    assertThat(d).hasSize(96);
    assertThat(new String(d, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("STRATA  ");
    assertThat(new String(d, 16, 4, StandardCharsets.US_ASCII)).isEqualTo("VPSA");
    assertThat(d[5] & 0x30).isEqualTo(0x10); // implicit ALUA
    assertThat(d[5] & 0x08).isEqualTo(0x08); // 3PC
    assertThat(data(h.run("12 00 00 00 10 00"))).hasSize(16); // allocation length cuts
  }

  @Test
  void vpdPagesListedAreServedAndOthersRejected() {
    byte[] list = data(h.run("12 01 00 00 ff 00"));
    int n = list[3];
    for (int i = 0; i < n; i++) {
      int page = list[4 + i] & 0xff;
      byte[] p = data(h.run(String.format("12 01 %02x 00 ff 00", page)));
      assertThat(p[1] & 0xff).isEqualTo(page);
      assertThat(Cdb.u16(p, 2)).isEqualTo(p.length - 4);
    }
    assertCheck(h.run("12 01 c7 00 ff 00"), ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    assertCheck(h.run("12 00 80 00 ff 00"), ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
  }

  @Test
  void deviceIdentificationCarriesAStableNaaPerVolume() throws Exception {
    byte[] p83 = data(h.run("12 01 83 00 ff 00"));
    assertThat(p83[4 + 1] & 0x0f).isEqualTo(3); // first designator: NAA
    assertThat(p83[8] >> 4 & 0x0f).isEqualTo(6);
    byte[] other = data(h.run(A, 5, "12 01 83 00 ff 00", new byte[0]));
    assertThat(java.util.Arrays.copyOfRange(other, 8, 24))
        .isNotEqualTo(java.util.Arrays.copyOfRange(p83, 8, 24));
    LogicalUnit again = new LogicalUnit("vol-0", h.devices.get(0), null);
    assertThat(again.naa()).isEqualTo(java.util.Arrays.copyOfRange(p83, 8, 24));
  }

  @Test
  void readCapacityReportsSizeAndThinProvisioning() {
    byte[] rc10 = data(h.run("25 00 00 00 00 00 00 00 00 00"));
    assertThat(Cdb.u32(rc10, 0)).isEqualTo(4095);
    assertThat(Cdb.u32(rc10, 4)).isEqualTo(512);
    byte[] rc16 = data(h.run("9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00"));
    assertThat(Cdb.u64(rc16, 0)).isEqualTo(4095);
    assertThat(rc16[14] & 0xc0).isEqualTo(0xc0);
  }

  @Test
  void writeThenReadEachCdbSize() {
    assertThat(h.run("0a 00 00 01 01 00", blocks(1, 6)).status()).isEqualTo(GOOD);
    assertThat(data(h.run("08 00 00 01 01 00"))).containsOnly(6);
    assertThat(h.run("2a 08 00 00 00 02 00 00 02 00", blocks(2, 10)).status()).isEqualTo(GOOD);
    assertThat(data(h.run("28 00 00 00 00 02 00 00 02 00"))).containsOnly(10);
    assertThat(h.run("aa 00 00 00 00 04 00 00 00 01 00 00", blocks(1, 12)).status())
        .isEqualTo(GOOD);
    assertThat(data(h.run("a8 00 00 00 00 04 00 00 00 01 00 00"))).containsOnly(12);
    assertThat(h.run("8a 00 00 00 00 00 00 00 00 05 00 00 00 01 00 00", blocks(1, 16)).status())
        .isEqualTo(GOOD);
    assertThat(data(h.run("88 00 00 00 00 00 00 00 00 05 00 00 00 01 00 00")))
        .containsOnly(16);
  }

  @Test
  void rangeChecksFollowSbc() {
    // zero blocks at the last LBA + 1 is fine; beyond that it is out of range
    assertThat(h.run("28 00 00 00 10 00 00 00 00 00").status()).isEqualTo(GOOD);
    assertCheck(h.run("28 00 00 00 10 01 00 00 00 00"), ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
    assertCheck(h.run("28 00 00 00 0f ff 00 00 02 00"), ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
    assertCheck(h.run("88 00 ff ff ff ff ff ff ff ff 00 00 00 01 00 00"), ILLEGAL_REQUEST,
        ASC_LBA_OUT_OF_RANGE);
  }

  @Test
  void protectionFieldsAreRejectedWithAFieldPointer() {
    ScsiResponse r = h.run("28 20 00 00 00 00 00 00 01 00");
    assertCheck(r, ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
    assertThat(sense(r).fieldPointer()).isEqualTo(new SenseData.FieldPointer(true, 1, 7));
  }

  @Test
  void verifyComparesAndReportsTheMiscompareOffset() {
    h.run("2a 00 00 00 00 00 00 00 02 00", blocks(2, 3));
    byte[] expected = blocks(2, 3);
    assertThat(h.run("2f 02 00 00 00 00 00 00 02 00", expected).status()).isEqualTo(GOOD);
    expected[700] = 9;
    ScsiResponse r = h.run("2f 02 00 00 00 00 00 00 02 00", expected);
    assertCheck(r, MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY);
    assertThat(sense(r).information()).isEqualTo(700);
    assertThat(h.run("2f 00 00 00 00 00 00 00 02 00", expected).status()).isEqualTo(GOOD);
  }

  @Test
  void compareAndWriteSwapsOnlyWhenTheOldDataMatches() {
    h.run("2a 00 00 00 00 07 00 00 01 00", blocks(1, 1));
    byte[] swap = new byte[1024];
    java.util.Arrays.fill(swap, 0, 512, (byte) 1);
    java.util.Arrays.fill(swap, 512, 1024, (byte) 2);
    String caw = "89 00 00 00 00 00 00 00 00 07 00 00 00 01 00 00";
    assertThat(h.run(caw, swap).status()).isEqualTo(GOOD);
    assertThat(data(h.run("28 00 00 00 00 07 00 00 01 00"))).containsOnly(2);
    ScsiResponse again = h.run(caw, swap);
    assertCheck(again, MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY);
    assertThat(sense(again).information()).isZero();
    assertCheck(h.run(caw, new byte[512]), ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
  }

  @Test
  void writeSameWithUnmapDeallocatesAndGetLbaStatusSaysSo() {
    h.run("2a 00 00 00 00 00 00 00 20 00", blocks(32, 0xee));
    assertThat(h.run("41 08 00 00 00 08 00 00 08 00", new byte[512]).status()).isEqualTo(GOOD);
    assertThat(data(h.run("28 00 00 00 00 08 00 00 08 00"))).containsOnly(0);
    byte[] st = data(h.run("9e 12 00 00 00 00 00 00 00 08 00 00 00 40 00 00"));
    assertThat(Cdb.u64(st, 8)).isEqualTo(8);
    assertThat(Cdb.u32(st, 16)).isEqualTo(8);
    assertThat(st[20]).isEqualTo((byte) 1); // deallocated
    assertThat(Cdb.u64(st, 24)).isEqualTo(16);
    assertThat(st[36]).isEqualTo((byte) 0); // mapped
  }

  @Test
  void writeSameWithDataWritesEveryBlockAndZeroBlocksMeansToTheEnd() {
    byte[] one = blocks(1, 0x42);
    assertThat(h.run("93 00 00 00 00 00 00 00 00 10 00 00 01 00 00 00", one).status())
        .isEqualTo(GOOD);
    assertThat(data(h.run("28 00 00 00 00 10 00 01 00 00"))).containsOnly(0x42);
    assertThat(data(h.run("28 00 00 00 01 10 00 00 01 00"))).containsOnly(0);
    assertThat(h.run("41 00 00 00 0f 00 00 00 00 00", blocks(1, 0x17)).status()).isEqualTo(GOOD);
    assertThat(data(h.run("28 00 00 00 0f 00 00 01 00 00"))).containsOnly(0x17);
    assertCheck(h.run("41 00 00 00 00 00 00 00 01 00", new byte[256]), ILLEGAL_REQUEST,
        ASC_INVALID_FIELD_IN_COMMAND_INFORMATION_UNIT);
  }

  @Test
  void unmapValidatesEveryDescriptorBeforeDeallocating() {
    h.run("2a 00 00 00 00 00 00 00 10 00", blocks(16, 1));
    byte[] list = new byte[8 + 32];
    Cdb.put16(list, 0, 38);
    Cdb.put16(list, 2, 32);
    Cdb.put64(list, 8, 2);
    Cdb.put32(list, 16, 2);
    Cdb.put64(list, 24, 4095);
    Cdb.put32(list, 32, 2); // runs past the end
    assertCheck(h.run("42 00 00 00 00 00 00 00 28 00", list), ILLEGAL_REQUEST,
        ASC_LBA_OUT_OF_RANGE);
    assertThat(data(h.run("28 00 00 00 00 02 00 00 02 00"))).containsOnly(1);
    Cdb.put32(list, 32, 1);
    assertThat(h.run("42 00 00 00 00 00 00 00 28 00", list).status()).isEqualTo(GOOD);
    assertThat(data(h.run("28 00 00 00 00 02 00 00 02 00"))).containsOnly(0);
    assertCheck(h.run("42 00 00 00 00 00 00 00 04 00", list), ILLEGAL_REQUEST,
        ASC_PARAMETER_LIST_LENGTH_ERROR);
  }

  @Test
  void modeSelectTurnsTheWriteCacheOffAndOthersHearOfIt() {
    h.clearUnitAttentions(B);
    byte[] ms = data(h.run("1a 08 08 00 ff 00")); // caching page, no block descriptors
    assertThat(ms[4] & 0x3f).isEqualTo(8);
    assertThat(ms[6] & 0x04).isEqualTo(0x04); // WCE
    byte[] select = java.util.Arrays.copyOf(ms, ms.length);
    select[0] = 0;
    select[6] &= ~0x04;
    assertThat(h.run("15 10 00 00 " + String.format("%02x", select.length) + " 00", select)
            .status())
        .isEqualTo(GOOD);
    assertThat(data(h.run("1a 08 08 00 ff 00"))[6] & 0x04).isZero();
    assertCheck(h.run(B, 0, "00 00 00 00 00 00", new byte[0]), UNIT_ATTENTION,
        ASC_MODE_PARAMETERS_CHANGED);
    select[7] = 1; // a bit that cannot change
    assertCheck(h.run("15 10 00 00 " + String.format("%02x", select.length) + " 00", select),
        ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_PARAMETER_LIST);
  }

  @Test
  void modeSenseAllPagesAndChangeableMask() {
    byte[] all = data(h.run("1a 00 3f 00 ff 00"));
    assertThat(all[0] & 0xff).isEqualTo(all.length - 1);
    assertThat(all[3]).isEqualTo((byte) 8); // a block descriptor
    byte[] changeable = data(h.run("5a 08 48 00 00 00 00 00 ff 00"));
    assertThat(changeable[8 + 2] & 0xff).isEqualTo(0x04);
    assertCheck(h.run("1a 00 05 00 ff 00"), ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
  }

  @Test
  void reportLunsListsBothLunsAndRejectsTinyAllocation() {
    byte[] d = data(h.run("a0 00 00 00 00 00 00 00 01 00 00 00"));
    assertThat(Cdb.u32(d, 0)).isEqualTo(16);
    assertThat(Cdb.u64(d, 16)).isEqualTo(LogicalUnitTarget.encodeLun(5));
    assertCheck(h.run("a0 00 00 00 00 00 00 00 00 08 00 00"), ILLEGAL_REQUEST,
        ASC_INVALID_FIELD_IN_CDB);
  }

  @Test
  void reportLunsHonoursLunMasking() throws Exception {
    h.target = new LogicalUnitTarget("iqn.t:x", h.luns, java.util.List.of(1),
        (initiator, lun) -> lun == 0 || !initiator.equals(B.initiatorName()));
    byte[] d = data(h.run(B, 0, "a0 00 00 00 00 00 00 00 01 00 00 00", new byte[0]));
    assertThat(Cdb.u32(d, 0)).isEqualTo(8);
  }

  @Test
  void reportSupportedOperationCodesAllAndOne() {
    byte[] all = data(h.run("a3 0c 00 00 00 00 00 00 10 00 00 00"));
    int length = (int) Cdb.u32(all, 0);
    assertThat(length % 8).isZero();
    boolean sawCaw = false;
    for (int i = 4; i < 4 + length; i += 8) {
      sawCaw |= (all[i] & 0xff) == COMPARE_AND_WRITE;
    }
    assertThat(sawCaw).isTrue();
    byte[] one = data(h.run("a3 0c 01 28 00 00 00 00 01 00 00 00"));
    assertThat(one[1] & 0x07).isEqualTo(3);
    assertThat(Cdb.u16(one, 2)).isEqualTo(10);
    assertThat(one[4] & 0xff).isEqualTo(0x28);
    byte[] sa = data(h.run("a3 0c 02 9e 00 10 00 00 01 00 00 00"));
    assertThat(Cdb.u16(sa, 2)).isEqualTo(16);
    assertCheck(h.run("a3 0c 01 9e 00 10 00 00 01 00 00 00"), ILLEGAL_REQUEST,
        ASC_INVALID_FIELD_IN_CDB);
    byte[] none = data(h.run("a3 0c 01 c0 00 00 00 00 01 00 00 00"));
    assertThat(none[1] & 0x07).isEqualTo(1);
  }

  @Test
  void reportTargetPortGroupsHasOneActiveOptimizedGroupPerPort() {
    byte[] d = data(h.run("a3 0a 00 00 00 00 00 00 10 00 00 00"));
    assertThat(Cdb.u32(d, 0)).isEqualTo(24);
    assertThat(d[4] & 0x0f).isZero();
    assertThat(Cdb.u16(d, 6)).isEqualTo(1);
    assertThat(Cdb.u16(d, 18)).isEqualTo(2);
    assertThat(Cdb.u16(d, 26)).isEqualTo(2);
  }

  @Test
  void reserve6BlocksOtherInitiatorsUntilRelease() {
    h.clearUnitAttentions(B);
    assertThat(h.run("16 00 00 00 00 00").status()).isEqualTo(GOOD);
    assertThat(h.run(B, 0, "28 00 00 00 00 00 00 00 01 00", new byte[0]).status())
        .isEqualTo(RESERVATION_CONFLICT);
    assertThat(h.run(B, 0, "12 00 00 00 24 00", new byte[0]).status()).isEqualTo(GOOD);
    assertThat(h.run(B, 0, "17 00 00 00 00 00", new byte[0]).status()).isEqualTo(GOOD);
    assertThat(h.run(B, 0, "28 00 00 00 00 00 00 00 01 00", new byte[0]).status())
        .isEqualTo(RESERVATION_CONFLICT);
    assertThat(h.run("17 00 00 00 00 00").status()).isEqualTo(GOOD);
    assertThat(h.run(B, 0, "28 00 00 00 00 00 00 00 01 00", new byte[0]).status())
        .isEqualTo(GOOD);
  }

  @Test
  void lunResetRaisesAUnitAttentionAndDropsReserve6() {
    h.clearUnitAttentions(B);
    h.run("16 00 00 00 00 00");
    h.target.lunReset(A, LogicalUnitTarget.encodeLun(0));
    assertCheck(h.run(B, 0, "00 00 00 00 00 00", new byte[0]), UNIT_ATTENTION,
        ASC_POWER_ON_RESET);
    assertThat(h.run(B, 0, "28 00 00 00 00 00 00 00 01 00", new byte[0]).status())
        .isEqualTo(GOOD);
  }

  @Test
  void senseDataIsFixedFormatWithFieldPointer() {
    byte[] s = h.run("12 02 00 00 24 00").sense();
    assertThat(s).hasSize(18);
    assertThat(s[0]).isEqualTo((byte) 0x70);
    assertThat(s[2]).isEqualTo((byte) ILLEGAL_REQUEST);
    assertThat(s[7]).isEqualTo((byte) 10);
    assertThat(s[12]).isEqualTo((byte) 0x24);
    assertThat(s[15] & 0xff).isEqualTo(0x80 | 0x40 | 0x08 | 1);
    assertThat(Cdb.u16(s, 16)).isEqualTo(1);
  }

  @Test
  void shortCdbAndMalformedLunNeverThrow() {
    assertThat(h.target.execute(new ScsiCommand(A, 0, new byte[2], null, 0, 1)).status())
        .isEqualTo(CHECK_CONDITION);
    assertThat(h.target.execute(
            new ScsiCommand(A, 0xffff_0000_0000_0000L, new byte[] {0x12, 0, 0, 0, 36, 0}, null,
                36, 1))
        .status())
        .isEqualTo(GOOD);
  }
}
