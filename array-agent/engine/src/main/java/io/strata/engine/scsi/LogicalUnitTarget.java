package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import io.strata.engine.block.DeviceOfflineException;
import io.strata.engine.scsi.CommandSet.Command;
import io.strata.engine.scsi.PersistentReservations.Access;
import io.strata.engine.block.OutOfSpaceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SCSI target device: a map of LUN number to {@link LogicalUnit}, the SPC-4/SBC-3 command set
 * over them, unit attentions, reservations and ALUA.
 *
 * <p>Each command goes through the same steps: decode the LUN, classify the CDB (block commands,
 * then primary commands, else INVALID COMMAND OPERATION CODE), report a pending unit attention,
 * check reservations, then run the handler. Handlers signal bad input with {@link
 * CheckCondition}; an I/O failure becomes MEDIUM ERROR, and nothing escapes {@link #execute}.
 */
public final class LogicalUnitTarget implements ScsiTarget {
  private static final Logger LOG = Logger.getLogger(LogicalUnitTarget.class.getName());

  private final String targetName;
  private final ConcurrentSkipListMap<Integer, LogicalUnit> luns = new ConcurrentSkipListMap<>();
  private final SortedSet<Integer> targetPorts;
  private final BiPredicate<String, Integer> lunMasking;
  private final CommandSet commands;
  /** ALUA of a highly available array, or null: one active/optimized group per target port. */
  private volatile AsymmetricAccess alua;
  /** Commands being executed now; a demotion waits for them before it closes the pools. */
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Object idle = new Object();

  /**
   * @param targetName the target's iSCSI name
   * @param luns LUN number (0..16383) to logical unit
   * @param targetPorts the relative target port ids of the target's portal groups (1-based)
   * @param lunMasking which initiator (iSCSI name) may see which LUN; null shows every LUN to all
   */
  public LogicalUnitTarget(
      String targetName,
      Map<Integer, LogicalUnit> luns,
      Iterable<Integer> targetPorts,
      BiPredicate<String, Integer> lunMasking) {
    this.targetName = Objects.requireNonNull(targetName, "targetName");
    for (Map.Entry<Integer, LogicalUnit> e : new TreeMap<>(luns).entrySet()) {
      checkLunNumber(e.getKey());
      this.luns.put(e.getKey(), e.getValue());
    }
    TreeSet<Integer> ports = new TreeSet<>();
    for (int p : targetPorts) {
      if (p < 1 || p > 0xffff) {
        throw new IllegalArgumentException("relative target port id " + p + " not in 1..65535");
      }
      ports.add(p);
    }
    if (ports.isEmpty()) {
      ports.add(1);
    }
    this.targetPorts = Collections.unmodifiableSortedSet(ports);
    this.lunMasking = lunMasking == null ? (i, l) -> true : lunMasking;
    PrimaryCommands spc = new PrimaryCommands();
    this.commands = new CommandSet(new BlockCommands(), spc, new ExtendedCopy());
    spc.setCommandSet(commands);
  }

  /** A target with every LUN visible to every initiator, behind one target port. */
  public LogicalUnitTarget(String targetName, Map<Integer, LogicalUnit> luns) {
    this(targetName, luns, List.of(1), null);
  }

  private static void checkLunNumber(int lun) {
    if (lun < 0 || lun > 0x3fff) {
      throw new IllegalArgumentException("LUN " + lun + " not in 0..16383");
    }
  }

  public String targetName() {
    return targetName;
  }

  /** The LUNs served now (a live, read-only view): the NVMe/TCP target's namespaces. */
  public Map<Integer, LogicalUnit> logicalUnits() {
    return Collections.unmodifiableMap(luns);
  }

  public SortedSet<Integer> targetPorts() {
    return targetPorts;
  }

  /**
   * Serves the logical units under {@code access}: the target is one of the two engines of a
   * highly available array (REPORT TARGET PORT GROUPS lists both engines' groups, VPD page 83h
   * names this engine's group, and commands are refused as the state says).
   */
  public void useAsymmetricAccess(AsymmetricAccess access) {
    // set once, before the target serves its first command (the count of commands in flight
    // starts with it)
    this.alua = access;
  }

  /** The ALUA of a highly available array, or null. */
  public AsymmetricAccess asymmetricAccess() {
    return alua;
  }

  /** The target port group relative target port {@code port} is in. */
  int targetPortGroup(int port) {
    return alua == null ? port : AsymmetricAccess.groupOf(port);
  }

  /**
   * A demotion begins: this engine's ports are standby from now on (every command standby refuses
   * gets NOT READY, TARGET PORT IN STANDBY STATE, while the commands in flight finish), the other
   * engine's group is reported standby too until {@link #endTransition}, and ASYMMETRIC ACCESS
   * STATE CHANGED is queued for every I_T nexus on every logical unit. Standby at once, not
   * transitioning: Linux retries a transitioning path only every 2 s, but moves off a standby one
   * at once.
   */
  public void beginDemotion() {
    alua.changing(true);
    alua.set(AsymmetricAccess.State.STANDBY);
    raiseStateChanged();
  }

  /**
   * A promotion begins: the ports stay standby until {@link #endTransition} (the pools are being
   * opened) and the other engine's group is reported standby meanwhile, since it no longer
   * serves them.
   */
  public void beginPromotion() {
    alua.changing(true);
  }

  /**
   * Ends a promotion or demotion in {@code state}; {@code changed}: initiators see a new state,
   * so ASYMMETRIC ACCESS STATE CHANGED is queued for every I_T nexus on every logical unit (SPC-4
   * 5.16.2.7: the initiators learn of an implicit change). A promotion that failed goes back to
   * standby without telling anyone, as does the end of a demotion (its change was told at its
   * start).
   */
  public void endTransition(AsymmetricAccess.State state, boolean changed) {
    alua.set(state);
    alua.changing(false);
    if (changed) {
      raiseStateChanged();
    }
  }

  private void raiseStateChanged() {
    for (LogicalUnit lu : luns.values()) {
      lu.unitAttentions().raiseAll(ASC_ASYMMETRIC_ACCESS_STATE_CHANGED, n -> true);
    }
  }

  /**
   * Waits until no command is executing (those that arrive meanwhile are refused once a
   * transition began, and finish at once); false if some still run after {@code timeoutMillis}.
   */
  public boolean awaitIdle(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (idle) {
      while (inFlight.get() > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        idle.wait(Math.min(left, 10));
      }
    }
    return true;
  }

  /**
   * Serves LUN {@code lun} from {@code unit} instead of the logical unit there now (a standby's
   * placeholder and the volume of a promoted engine are the same logical unit to initiators):
   * the unit attentions queued for each nexus and the current mode parameters carry over, and
   * the LUN inventory did not change.
   */
  public void replaceLogicalUnit(int lun, LogicalUnit unit) {
    checkLunNumber(lun);
    LogicalUnit old = luns.get(lun);
    if (old != null) {
      unit.unitAttentions().adopt(old.unitAttentions());
      unit.modePages().adopt(old.modePages());
    }
    luns.put(lun, unit);
  }

  /** Adds or replaces a LUN; every nexus sees REPORTED LUNS DATA HAS CHANGED. */
  public void putLogicalUnit(int lun, LogicalUnit unit) {
    checkLunNumber(lun);
    luns.put(lun, unit);
    lunInventoryChanged();
  }

  /** Removes a LUN; every nexus sees REPORTED LUNS DATA HAS CHANGED. */
  public LogicalUnit removeLogicalUnit(int lun) {
    LogicalUnit removed = luns.remove(lun);
    if (removed != null) {
      lunInventoryChanged();
    }
    return removed;
  }

  private void lunInventoryChanged() {
    for (LogicalUnit lu : luns.values()) {
      lu.unitAttentions().raiseAll(ASC_REPORTED_LUNS_DATA_HAS_CHANGED, n -> true);
    }
  }

  /**
   * Tells the nexuses whose initiator sees another set of LUNs {@code after} than {@code before}
   * (its LUN masking was changed) with REPORTED LUNS DATA HAS CHANGED on every logical unit, so
   * that whichever LUN they address next reports it (SPC-4 6.33, SAM-5 5.14). Other nexuses are
   * not disturbed.
   *
   * @return the initiators told
   */
  public java.util.Set<String> lunMaskingChanged(BiPredicate<String, Integer> before,
      BiPredicate<String, Integer> after) {
    java.util.Set<String> told = new java.util.HashSet<>();
    java.util.Map<String, Boolean> changed = new java.util.HashMap<>();
    java.util.function.Predicate<Nexus> affected = n -> changed.computeIfAbsent(
        n.initiatorName(), i -> luns.keySet().stream()
            .anyMatch(l -> before.test(i, l) != after.test(i, l)));
    for (LogicalUnit lu : luns.values()) {
      lu.unitAttentions().raiseAll(ASC_REPORTED_LUNS_DATA_HAS_CHANGED, n -> {
        boolean yes = affected.test(n);
        if (yes) {
          told.add(n.initiatorName());
        }
        return yes;
      });
    }
    return told;
  }

  /**
   * Tells every nexus of LUN {@code lun} that its data changed under it (a rollback to a
   * snapshot), with NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (28h/00h). SPC-4 has no
   * condition named for "the blocks were replaced"; this is the one that says the medium's content
   * may differ from what the initiator last read, and initiators answer it by revalidating and
   * dropping cached data. CAPACITY DATA HAS CHANGED and INQUIRY DATA HAS CHANGED speak of
   * parameters that a rollback does not change (a volume keeps its size and identity). (Linux
   * retries the command on a fixed disk and raises no event for it: a host with the volume
   * mounted still has to be told by other means.)
   */
  public void mediumChanged(int lun) {
    LogicalUnit lu = luns.get(lun);
    if (lu != null) {
      lu.unitAttentions().raiseAll(ASC_MEDIUM_MAY_HAVE_CHANGED, n -> true);
    }
  }

  /** The LUN numbers {@code nexus} may see, ascending. */
  List<Integer> visibleLuns(Nexus nexus) {
    List<Integer> out = new ArrayList<>();
    for (int lun : luns.keySet()) {
      if (lunMasking.test(nexus.initiatorName(), lun)) {
        out.add(lun);
      }
    }
    return out;
  }

  /**
   * The logical units {@code nexus} may see: EXTENDED COPY looks its copy targets up here, so an
   * initiator can never copy from or to a volume that LUN masking hides from it.
   */
  List<LogicalUnit> visibleLogicalUnits(Nexus nexus) {
    List<LogicalUnit> out = new ArrayList<>();
    for (int lun : visibleLuns(nexus)) {
      LogicalUnit lu = luns.get(lun);
      if (lu != null) {
        out.add(lu);
      }
    }
    return out;
  }

  /**
   * The LUN number in an 8-byte SAM LUN (peripheral or flat space addressing, single level), or
   * -1 when it uses another method or levels we do not have.
   */
  public static int decodeLun(long samLun) {
    int first = (int) (samLun >>> 48) & 0xffff;
    if ((samLun & 0x0000ffffffffffffL) != 0) {
      return -1;
    }
    int method = first >>> 14;
    if (method == 0) {
      return (first >>> 8) == 0 ? first & 0xff : -1; // peripheral, bus 0
    }
    if (method == 1) {
      return first & 0x3fff; // flat space
    }
    return -1;
  }

  /** The 8-byte SAM encoding of a LUN number, as REPORT LUNS lists it. */
  static long encodeLun(int lun) {
    long first = lun < 256 ? lun : 0x4000 | lun;
    return first << 48;
  }

  @Override
  public ScsiResponse execute(ScsiCommand command) {
    if (alua == null) {
      return executeCounted(command); // a single engine never drains: no shared counter
    }
    // Counted before the ALUA state is looked at, so that a demotion that saw no command in
    // flight after it began its transition cannot miss one that still saw the old state.
    inFlight.incrementAndGet();
    try {
      return executeCounted(command);
    } finally {
      if (inFlight.decrementAndGet() == 0) {
        synchronized (idle) {
          idle.notifyAll();
        }
      }
    }
  }

  private ScsiResponse executeCounted(ScsiCommand command) {
    byte[] cdb = command.cdb();
    if (cdb == null || cdb.length < 6) {
      return Responses.checkCondition(SenseData.of(ILLEGAL_REQUEST,
          ASC_INVALID_COMMAND_OPERATION_CODE));
    }
    Nexus nexus = command.nexus();
    int lunNumber = decodeLun(command.lun());
    LogicalUnit lu = null;
    if (lunNumber >= 0 && lunMasking.test(nexus.initiatorName(), lunNumber)) {
      lu = luns.get(lunNumber);
    }
    try {
      Command c = commands.classify(cdb);
      if (lu == null) {
        return PrimaryCommands.withoutLogicalUnit(this, c, nexus, cdb);
      }
      Request request = new Request(this, lu, nexus, cdb, command.dataOut(), command);
      ScsiResponse early = unitAttentionOrConflict(request, c);
      return withDataOutLength(early != null ? early : c.handler().run(request), cdb, lu);
    } catch (CheckCondition e) {
      return withDataOutLength(Responses.checkCondition(e.sense()), cdb, lu);
    } catch (OutOfSpaceException e) {
      // A thin pool that ran out: SBC-3 4.7.3.6, the write is refused and nothing is lost.
      LOG.warning("LUN " + lunNumber + ": " + e.getMessage());
      return Responses.checkCondition(
          SenseData.of(DATA_PROTECT, ASC_SPACE_ALLOCATION_FAILED_WRITE_PROTECT));
    } catch (DeviceOfflineException e) {
      LOG.log(Level.SEVERE, "LUN " + lunNumber + " is offline: " + e.getMessage(), e);
      return Responses.checkCondition(SenseData.of(NOT_READY,
          ASC_LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION_REQUIRED));
    } catch (IOException | UncheckedIOException e) {
      LOG.log(Level.WARNING, "I/O error on LUN " + lunNumber + " for opcode 0x"
          + Integer.toHexString(cdb[0] & 0xff), e);
      int ascq = isWrite(cdb[0] & 0xff) ? ASC_WRITE_ERROR : ASC_UNRECOVERED_READ_ERROR;
      return Responses.checkCondition(SenseData.of(MEDIUM_ERROR, ascq));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Responses.checkCondition(SenseData.of(ABORTED_COMMAND, ASC_NO_ADDITIONAL_SENSE));
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "internal error executing opcode 0x"
          + Integer.toHexString(cdb[0] & 0xff), e);
      return Responses.checkCondition(SenseData.of(HARDWARE_ERROR, ASC_INTERNAL_TARGET_FAILURE));
    }
  }

  /** Adds how much Data-Out the CDB called for, from which the transport derives residuals. */
  private static ScsiResponse withDataOutLength(ScsiResponse r, byte[] cdb, LogicalUnit lu) {
    if (lu == null || r.dataOutLength() >= 0) {
      return r;
    }
    long length = BlockCommands.expectedDataOutLength(cdb, lu.device().blockSize());
    if (length < 0) {
      return r;
    }
    return new ScsiResponse(r.status(), r.sense(), r.dataIn(), (int) Math.min(length,
        Integer.MAX_VALUE));
  }

  private static boolean isWrite(int opcode) {
    switch (opcode) {
      case WRITE_6: case WRITE_10: case WRITE_12: case WRITE_16: case WRITE_SAME_10:
      case WRITE_SAME_16: case WRITE_AND_VERIFY_10: case WRITE_AND_VERIFY_12:
      case WRITE_AND_VERIFY_16: case COMPARE_AND_WRITE: case ORWRITE_16: case UNMAP:
      case SYNCHRONIZE_CACHE_10: case SYNCHRONIZE_CACHE_16: case EXTENDED_COPY:
        return true;
      default:
        return false;
    }
  }

  /**
   * The response a command gets before it runs: a pending unit attention (SAM-5 5.14), or a
   * reservation conflict. Null when it may run.
   */
  private ScsiResponse unitAttentionOrConflict(Request r, Command c) {
    LogicalUnit lu = r.lu();
    Nexus nexus = r.nexus();
    if (lu.capacityChanged()) {
      lu.unitAttentions().raiseAll(ASC_CAPACITY_DATA_HAS_CHANGED, n -> true);
    }
    int opcode = c.opcode();
    boolean exemptFromUa =
        opcode == INQUIRY || opcode == REPORT_LUNS || opcode == REQUEST_SENSE;
    if (!exemptFromUa) {
      int ua = lu.unitAttentions().take(nexus);
      if (ua >= 0) {
        return Responses.checkCondition(SenseData.of(UNIT_ATTENTION, ua));
      }
    } else {
      lu.unitAttentions().touch(nexus); // a new nexus still gets its POWER ON later
    }
    AsymmetricAccess access = alua;
    if (access != null) {
      int refusal = AsymmetricAccess.refusal(access.own(), opcode, c.serviceAction());
      if (refusal >= 0) {
        return Responses.checkCondition(SenseData.of(NOT_READY, refusal));
      }
    }
    Nexus spc2 = lu.spc2Holder();
    if (spc2 != null && !spc2.equals(nexus) && !allowedUnderSpc2Reservation(opcode)) {
      return Responses.reservationConflict();
    }
    if (lu.reservations().conflicts(nexus, c.access())) {
      return Responses.reservationConflict();
    }
    if (lu.readOnly() && writesMedium(opcode)) {
      return Responses.checkCondition(SenseData.of(DATA_PROTECT, ASC_WRITE_PROTECTED));
    }
    return null;
  }

  /**
   * The commands a write-protected logical unit refuses (SBC-3 4.10): those that change blocks.
   * SYNCHRONIZE CACHE has nothing to write back and is allowed; EXTENDED COPY checks its own
   * destination, since a read-only unit may well be the source of a copy.
   */
  private static boolean writesMedium(int opcode) {
    return isWrite(opcode) && opcode != SYNCHRONIZE_CACHE_10 && opcode != SYNCHRONIZE_CACHE_16
        && opcode != EXTENDED_COPY;
  }

  /** SPC-2 5.5.1: what another initiator may still do while the logical unit is reserved. */
  private static boolean allowedUnderSpc2Reservation(int opcode) {
    switch (opcode) {
      case INQUIRY:
      case REPORT_LUNS:
      case REQUEST_SENSE:
      case RELEASE_6:
      case RELEASE_10:
      case MAINTENANCE_IN:
        return true;
      default:
        return false;
    }
  }

  @Override
  public void lunReset(Nexus nexus, long lun) {
    int n = decodeLun(lun);
    LogicalUnit lu = n < 0 ? null : luns.get(n);
    if (lu != null) {
      reset(lu);
    }
  }

  private static void reset(LogicalUnit lu) {
    lu.spc2Release(null);
    lu.unitAttentions().raiseAll(ASC_POWER_ON_RESET, x -> true);
  }

  @Override
  public void targetReset(Nexus nexus) {
    for (LogicalUnit lu : luns.values()) {
      reset(lu);
    }
  }

  @Override
  public void nexusOpened(Nexus nexus) {
    for (LogicalUnit lu : luns.values()) {
      lu.unitAttentions().nexusOpened(nexus);
    }
  }

  @Override
  public void nexusClosed(Nexus nexus) {
    for (LogicalUnit lu : luns.values()) {
      lu.unitAttentions().nexusClosed(nexus);
      // An SPC-2 reservation does not outlive its I_T nexus (SPC-2 5.5.1).
      lu.spc2Release(nexus);
    }
  }
}
