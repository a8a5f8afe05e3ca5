package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiHarness.A;
import static io.strata.engine.scsi.ScsiHarness.A_PORT2;
import static io.strata.engine.scsi.ScsiHarness.B;
import static io.strata.engine.scsi.ScsiHarness.data;
import static io.strata.engine.scsi.ScsiHarness.sense;
import static io.strata.engine.scsi.ScsiSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PersistentReservationsTest {
  private static final long KEY_A = 0xaaaa_0001L;
  private static final long KEY_B = 0xbbbb_0002L;
  private static final String READ = "28 00 00 00 00 00 00 00 01 00";
  private static final String WRITE = "2a 00 00 00 00 00 00 00 01 00";

  @TempDir Path dir;
  ScsiHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = new ScsiHarness(dir, 256, 0);
    h.clearUnitAttentions(A);
    h.clearUnitAttentions(B);
    h.clearUnitAttentions(A_PORT2);
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  private static byte[] params(long key, long saKey, int flags) {
    byte[] p = new byte[24];
    Cdb.put64(p, 0, key);
    Cdb.put64(p, 8, saKey);
    p[20] = (byte) flags;
    return p;
  }

  private int out(Nexus n, int action, int type, long key, long saKey, int flags) {
    String cdb = String.format("5f %02x %02x 00 00 00 00 00 18 00", action, type);
    return h.run(n, 0, cdb, params(key, saKey, flags)).status();
  }

  private byte[] in(Nexus n, int action) {
    return data(h.run(n, 0, String.format("5e %02x 00 00 00 00 00 04 00 00", action),
        new byte[0]));
  }

  private int io(Nexus n, String cdb) {
    byte[] d = cdb.startsWith("2a") ? new byte[512] : new byte[0];
    return h.run(n, 0, cdb, d).status();
  }

  /**
   * SPC-4 table 5.9: for each type, can a registered / unregistered other initiator read and
   * write, while the holder always can.
   */
  @ParameterizedTest(name = "type {0}")
  @CsvSource({
    "1, true, false, true, false", // write exclusive
    "3, false, false, false, false", // exclusive access
    "5, true, true, true, false", // write exclusive, registrants only
    "6, true, true, false, false", // exclusive access, registrants only
    "7, true, true, true, false", // write exclusive, all registrants
    "8, true, true, false, false" // exclusive access, all registrants
  })
  void conflictMatrix(int type, boolean regRead, boolean regWrite, boolean unregRead,
      boolean unregWrite) {
    assertThat(out(A, PROUT_REGISTER, 0, 0, KEY_A, 0)).isEqualTo(GOOD);
    assertThat(out(B, PROUT_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0, KEY_B, 0)).isEqualTo(GOOD);
    assertThat(out(A, PROUT_RESERVE, type, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(io(A, READ)).isEqualTo(GOOD);
    assertThat(io(A, WRITE)).isEqualTo(GOOD);
    assertThat(io(B, READ)).isEqualTo(regRead ? GOOD : RESERVATION_CONFLICT);
    assertThat(io(B, WRITE)).isEqualTo(regWrite ? GOOD : RESERVATION_CONFLICT);
    assertThat(out(B, PROUT_REGISTER, 0, KEY_B, 0, 0)).isEqualTo(GOOD); // unregister
    assertThat(io(B, READ)).isEqualTo(unregRead ? GOOD : RESERVATION_CONFLICT);
    assertThat(io(B, WRITE)).isEqualTo(unregWrite ? GOOD : RESERVATION_CONFLICT);
    assertThat(io(B, "12 00 00 00 24 00")).isEqualTo(GOOD); // INQUIRY always
    assertThat(out(A, PROUT_RELEASE, type, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(io(B, WRITE)).isEqualTo(GOOD);
  }

  @Test
  void registerWithTheWrongKeyConflictsAndReadKeysListsRegistrations() {
    assertThat(out(A, PROUT_REGISTER, 0, 0, KEY_A, 0)).isEqualTo(GOOD);
    assertThat(out(A, PROUT_REGISTER, 0, 0x1234, KEY_B, 0)).isEqualTo(RESERVATION_CONFLICT);
    assertThat(out(B, PROUT_REGISTER, 0, 0, KEY_B, 0)).isEqualTo(GOOD);
    byte[] keys = in(A, PRIN_READ_KEYS);
    assertThat(Cdb.u32(keys, 0)).isEqualTo(2); // generation
    assertThat(Cdb.u32(keys, 4)).isEqualTo(16);
    assertThat(Cdb.u64(keys, 8)).isEqualTo(KEY_A);
    assertThat(Cdb.u64(keys, 16)).isEqualTo(KEY_B);
  }

  @Test
  void registrationsBelongToTheTargetPortUnlessAllTgPt() {
    assertThat(out(A, PROUT_REGISTER, 0, 0, KEY_A, 0)).isEqualTo(GOOD);
    assertThat(out(A, PROUT_RESERVE, PR_EXCLUSIVE_ACCESS, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(io(A_PORT2, READ)).isEqualTo(RESERVATION_CONFLICT);
    assertThat(out(A, PROUT_RELEASE, PR_EXCLUSIVE_ACCESS, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(out(A, PROUT_REGISTER, 0, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(out(A, PROUT_REGISTER, 0, 0, KEY_A, 0x04)).isEqualTo(GOOD); // ALL_TG_PT
    assertThat(out(A, PROUT_RESERVE, PR_EXCLUSIVE_ACCESS, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(io(A_PORT2, READ)).isEqualTo(GOOD);
  }

  @Test
  void readReservationShowsHolderKeyAndTypeAndZeroKeyForAllRegistrants() {
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0);
    out(A, PROUT_RESERVE, PR_WRITE_EXCLUSIVE, KEY_A, 0, 0);
    byte[] r = in(A, PRIN_READ_RESERVATION);
    assertThat(Cdb.u32(r, 4)).isEqualTo(16);
    assertThat(Cdb.u64(r, 8)).isEqualTo(KEY_A);
    assertThat(r[21]).isEqualTo((byte) PR_WRITE_EXCLUSIVE);
    assertThat(out(A, PROUT_RESERVE, PR_EXCLUSIVE_ACCESS, KEY_A, 0, 0))
        .isEqualTo(RESERVATION_CONFLICT);
    ScsiResponse badRelease =
        h.run(A, 0, "5f 02 03 00 00 00 00 00 18 00", params(KEY_A, 0, 0));
    assertThat(sense(badRelease).ascq()).isEqualTo(0x2604);
    out(A, PROUT_RELEASE, PR_WRITE_EXCLUSIVE, KEY_A, 0, 0);
    out(A, PROUT_RESERVE, PR_EXCLUSIVE_ACCESS_ALL_REGISTRANTS, KEY_A, 0, 0);
    assertThat(Cdb.u64(in(A, PRIN_READ_RESERVATION), 8)).isZero();
  }

  @Test
  void clearRemovesEverythingAndTellsTheOthers() {
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0);
    out(B, PROUT_REGISTER, 0, 0, KEY_B, 0);
    out(A, PROUT_RESERVE, PR_WRITE_EXCLUSIVE, KEY_A, 0, 0);
    assertThat(out(A, PROUT_CLEAR, 0, KEY_A, 0, 0)).isEqualTo(GOOD);
    assertThat(Cdb.u32(in(A, PRIN_READ_KEYS), 4)).isZero();
    ScsiResponse tur = h.run(B, 0, "00 00 00 00 00 00", new byte[0]);
    assertThat(sense(tur).ascq()).isEqualTo(ASC_RESERVATIONS_PREEMPTED);
  }

  @Test
  void preemptTakesTheReservationAndRemovesTheVictim() {
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0);
    out(B, PROUT_REGISTER, 0, 0, KEY_B, 0);
    out(A, PROUT_RESERVE, PR_EXCLUSIVE_ACCESS, KEY_A, 0, 0);
    assertThat(out(B, PROUT_PREEMPT, PR_EXCLUSIVE_ACCESS, KEY_B, KEY_A, 0)).isEqualTo(GOOD);
    assertThat(Cdb.u64(in(B, PRIN_READ_RESERVATION), 8)).isEqualTo(KEY_B);
    assertThat(sense(h.run(A, 0, "00 00 00 00 00 00", new byte[0])).ascq())
        .isEqualTo(ASC_REGISTRATIONS_PREEMPTED);
    assertThat(io(A, READ)).isEqualTo(RESERVATION_CONFLICT);
    assertThat(out(B, PROUT_PREEMPT, PR_EXCLUSIVE_ACCESS, KEY_B, 0x999, 0))
        .isEqualTo(RESERVATION_CONFLICT);
  }

  @Test
  void registerAndMoveHandsTheReservationToAnotherInitiatorPort() {
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0);
    out(A, PROUT_RESERVE, PR_EXCLUSIVE_ACCESS, KEY_A, 0, 0);
    byte[] tid = PersistentReservations.transportId(B.initiatorPortName());
    byte[] p = new byte[24 + tid.length];
    Cdb.put64(p, 0, KEY_A);
    Cdb.put64(p, 8, KEY_B);
    p[17] = 0x02; // UNREG: the mover's registration goes
    Cdb.put16(p, 18, B.relativeTargetPortId());
    Cdb.put32(p, 20, tid.length);
    System.arraycopy(tid, 0, p, 24, tid.length);
    String cdb = String.format("5f 07 %02x 00 00 %08x 00", PR_EXCLUSIVE_ACCESS, p.length);
    assertThat(h.run(A, 0, cdb, p).status()).isEqualTo(GOOD);
    byte[] r = in(B, PRIN_READ_RESERVATION);
    assertThat(Cdb.u64(r, 8)).isEqualTo(KEY_B);
    assertThat(io(B, WRITE)).isEqualTo(GOOD);
    assertThat(io(A, READ)).isEqualTo(RESERVATION_CONFLICT);
    assertThat(Cdb.u32(in(B, PRIN_READ_KEYS), 4)).isEqualTo(8); // only B is registered
  }

  @Test
  void reportCapabilitiesAndFullStatus() {
    byte[] caps = in(A, PRIN_REPORT_CAPABILITIES);
    assertThat(Cdb.u16(caps, 0)).isEqualTo(8);
    assertThat(caps[3] & 0x80).isEqualTo(0x80);
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0x01); // APTPL
    assertThat(in(A, PRIN_REPORT_CAPABILITIES)[3] & 0x01).isEqualTo(1);
    out(A, PROUT_RESERVE, PR_WRITE_EXCLUSIVE, KEY_A, 0, 0);
    byte[] full = in(A, PRIN_READ_FULL_STATUS);
    assertThat(Cdb.u64(full, 8)).isEqualTo(KEY_A);
    assertThat(full[8 + 12] & 0x01).isEqualTo(1); // R_HOLDER
    int tidLength = (int) Cdb.u32(full, 8 + 20);
    String tid = new String(full, 8 + 24 + 4, tidLength - 4).trim();
    assertThat(tid).startsWith(A.initiatorPortName());
  }

  @Test
  void badParameterListLengthAndServiceAction() {
    ScsiResponse r = h.run(A, 0, "5f 00 00 00 00 00 00 00 10 00", new byte[16]);
    assertThat(sense(r).ascq()).isEqualTo(ASC_PARAMETER_LIST_LENGTH_ERROR);
    ScsiResponse in = h.run(A, 0, "5e 07 00 00 00 00 00 00 10 00", new byte[0]);
    assertThat(sense(in).ascq()).isEqualTo(ASC_INVALID_FIELD_IN_CDB);
  }

  @Test
  void reservationsSurviveAReopenOfTheLogicalUnit() throws Exception {
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0);
    out(B, PROUT_REGISTER, 0, 0, KEY_B, 0);
    out(A, PROUT_RESERVE, PR_WRITE_EXCLUSIVE_REGISTRANTS_ONLY, KEY_A, 0, 0);
    byte[] before = in(A, PRIN_READ_FULL_STATUS);

    // A new engine process: new LogicalUnit and target over the same files.
    LogicalUnit reopened =
        new LogicalUnit("vol-0", h.devices.get(0), dir.resolve("lun0.pr"));
    h.target = new LogicalUnitTarget("iqn.t:x", java.util.Map.of(0, reopened));
    Nexus c = new Nexus("iqn.2026-11.test:c", 1, "iqn.t:x", 1);
    h.clearUnitAttentions(A);
    h.clearUnitAttentions(c);
    assertThat(in(A, PRIN_READ_FULL_STATUS)).isEqualTo(before);
    assertThat(io(c, WRITE)).isEqualTo(RESERVATION_CONFLICT);
    assertThat(io(c, READ)).isEqualTo(GOOD);
    assertThat(io(A, WRITE)).isEqualTo(GOOD);
  }

  /** A store that is not a file, as a volume's pool metadata is: only what it saves is kept. */
  static final class RecordStore implements ReservationStore {
    String saved;
    int saves;

    @Override
    public String load() {
      return saved;
    }

    @Override
    public void save(String state) {
      saved = state;
      saves++;
    }
  }

  @Test
  void reservationsKeptInAnyReservationStoreSurviveAReopen() throws Exception {
    RecordStore store = new RecordStore();
    LogicalUnit first = LogicalUnit.withReservations("vol-0", h.devices.get(0), store,
        LogicalUnit.Options.DEFAULT);
    h.target = new LogicalUnitTarget("iqn.t:x", java.util.Map.of(0, first));
    h.clearUnitAttentions(A);
    h.clearUnitAttentions(B);
    out(A, PROUT_REGISTER, 0, 0, KEY_A, 0);
    out(B, PROUT_REGISTER, 0, 0, KEY_B, 0);
    out(A, PROUT_RESERVE, PR_WRITE_EXCLUSIVE, KEY_A, 0, 0);
    byte[] before = in(A, PRIN_READ_FULL_STATUS);
    assertThat(store.saves).as("saved on every change, before the command completes")
        .isEqualTo(3);

    // Another engine: a new logical unit over what the store holds (the file is not used).
    LogicalUnit reopened = LogicalUnit.withReservations("vol-0", h.devices.get(0), store,
        LogicalUnit.Options.DEFAULT);
    h.target = new LogicalUnitTarget("iqn.t:x", java.util.Map.of(0, reopened));
    h.clearUnitAttentions(A);
    h.clearUnitAttentions(B);
    assertThat(in(A, PRIN_READ_FULL_STATUS)).isEqualTo(before);
    assertThat(io(B, WRITE)).isEqualTo(RESERVATION_CONFLICT);
    assertThat(io(A, WRITE)).isEqualTo(GOOD);
    assertThat(dir.resolve("lun0.pr")).doesNotExist();
  }
}
