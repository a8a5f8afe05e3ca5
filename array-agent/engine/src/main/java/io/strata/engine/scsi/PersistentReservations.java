package io.strata.engine.scsi;

import static io.strata.engine.scsi.ScsiSpec.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Persistent reservations of one logical unit (SPC-4 5.12, PERSISTENT RESERVE IN/OUT).
 *
 * <p>Registrations belong to an I_T nexus: the initiator port name (iSCSI name + ISID) and the
 * relative target port, or every target port when ALL_TG_PT was set. The state is saved to its
 * {@link ReservationStore} (the pool's metadata for a volume, a file beside the image of a legacy
 * LUN) durably after every change, and read back when the engine starts: an engine restart is a controller restart, not a power loss of the
 * logical unit, so reservations survive it whatever APTPL says. APTPL is recorded and reported.
 */
final class PersistentReservations {

  /** One registration: a reservation key for an initiator port through one or all target ports. */
  record Registration(long key, String initiatorPort, int relativePort, boolean allTargetPorts) {
    boolean matches(Nexus n) {
      return initiatorPort.equals(n.initiatorPortName())
          && (allTargetPorts || relativePort == n.relativeTargetPortId());
    }
  }

  /** What a command does to the medium, for the conflict rules of SPC-4 table 66 / SBC-3. */
  enum Access {
    /** Never conflicts (INQUIRY, REPORT LUNS, READ CAPACITY, PR IN/OUT, ...). */
    ALLOWED,
    /** Reads the medium: conflicts only with the exclusive-access types. */
    READ,
    /** Changes the medium or the logical unit: conflicts with every type. */
    WRITE
  }

  /** Where the state is kept across restarts; null: in memory only. */
  private final ReservationStore store;
  private final List<Registration> registrations = new ArrayList<>();
  private int generation;
  private boolean aptpl;
  /** The holder of a reservation of a single-holder type, or null. */
  private Registration holder;
  /**
   * The reservation type, or 0 when the logical unit is not reserved. Volatile so that the
   * check every command makes needs no lock while nothing is reserved.
   */
  private volatile int type;

  PersistentReservations(Path file) throws IOException {
    this(file == null ? null : ReservationStore.inFile(file));
  }

  PersistentReservations(ReservationStore store) throws IOException {
    this.store = store;
    String saved = store == null ? null : store.load();
    if (saved != null) {
      load(saved);
    }
  }

  static boolean isValidType(int t) {
    return t == PR_WRITE_EXCLUSIVE
        || t == PR_EXCLUSIVE_ACCESS
        || t == PR_WRITE_EXCLUSIVE_REGISTRANTS_ONLY
        || t == PR_EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
        || t == PR_WRITE_EXCLUSIVE_ALL_REGISTRANTS
        || t == PR_EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  static boolean isAllRegistrants(int t) {
    return t == PR_WRITE_EXCLUSIVE_ALL_REGISTRANTS || t == PR_EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
  }

  private static boolean isRegistrantsOnly(int t) {
    return t == PR_WRITE_EXCLUSIVE_REGISTRANTS_ONLY || t == PR_EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
  }

  synchronized boolean hasRegistrations() {
    return !registrations.isEmpty();
  }

  boolean isReserved() {
    return type != 0;
  }

  private Registration registrationOf(Nexus n) {
    for (Registration r : registrations) {
      if (r.matches(n)) {
        return r;
      }
    }
    return null;
  }

  private boolean isHolder(Nexus n) {
    if (type == 0) {
      return false;
    }
    if (isAllRegistrants(type)) {
      return registrationOf(n) != null;
    }
    return holder != null && holder.matches(n);
  }

  /** Whether {@code access} by {@code nexus} conflicts with the persistent reservation. */
  boolean conflicts(Nexus nexus, Access access) {
    if (type == 0 || access == Access.ALLOWED) {
      return false;
    }
    synchronized (this) {
      return conflictsWhileReserved(nexus, access);
    }
  }

  private boolean conflictsWhileReserved(Nexus nexus, Access access) {
    if (type == 0 || isHolder(nexus)) {
      return false;
    }
    boolean registered = registrationOf(nexus) != null;
    switch (type) {
      case PR_WRITE_EXCLUSIVE:
        return access == Access.WRITE;
      case PR_EXCLUSIVE_ACCESS:
        return true;
      case PR_WRITE_EXCLUSIVE_REGISTRANTS_ONLY:
      case PR_WRITE_EXCLUSIVE_ALL_REGISTRANTS:
        return !registered && access == Access.WRITE;
      default: // the exclusive-access registrants types
        return !registered;
    }
  }

  // ------------------------------------------------------------------ PERSISTENT RESERVE IN

  synchronized byte[] readKeys() {
    byte[] b = new byte[8 + 8 * registrations.size()];
    Cdb.put32(b, 0, generation);
    Cdb.put32(b, 4, 8L * registrations.size());
    int i = 8;
    for (Registration r : registrations) {
      Cdb.put64(b, i, r.key());
      i += 8;
    }
    return b;
  }

  synchronized byte[] readReservation() {
    if (type == 0) {
      byte[] b = new byte[8];
      Cdb.put32(b, 0, generation);
      return b;
    }
    byte[] b = new byte[24];
    Cdb.put32(b, 0, generation);
    Cdb.put32(b, 4, 16);
    Cdb.put64(b, 8, isAllRegistrants(type) ? 0 : holder.key());
    b[21] = (byte) (type & 0x0f); // scope 0: logical unit
    return b;
  }

  synchronized byte[] reportCapabilities() {
    byte[] b = new byte[8];
    Cdb.put16(b, 0, 8);
    b[2] = 0x04 | 0x01; // ATP_C (ALL_TG_PT honoured), PTPL_C (persists across power loss)
    b[3] = (byte) (0x80 | (aptpl ? 0x01 : 0)); // TMV: the type mask is valid; PTPL_A
    b[4] = (byte) (0x80 | 0x40 | 0x20 | 0x08 | 0x02); // WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX
    b[5] = 0x01; // EX_AC_AR
    return b;
  }

  synchronized byte[] readFullStatus() {
    List<byte[]> descriptors = new ArrayList<>();
    for (Registration r : registrations) {
      byte[] tid = transportId(r.initiatorPort());
      byte[] d = new byte[24 + tid.length];
      Cdb.put64(d, 0, r.key());
      boolean holds = type != 0 && (isAllRegistrants(type) || r.equals(holder));
      d[12] = (byte) ((r.allTargetPorts() ? 0x02 : 0) | (holds ? 0x01 : 0));
      d[13] = (byte) (holds ? type & 0x0f : 0);
      Cdb.put16(d, 18, r.allTargetPorts() ? 0 : r.relativePort());
      Cdb.put32(d, 20, tid.length);
      System.arraycopy(tid, 0, d, 24, tid.length);
      descriptors.add(d);
    }
    int length = descriptors.stream().mapToInt(d -> d.length).sum();
    byte[] b = new byte[8 + length];
    Cdb.put32(b, 0, generation);
    Cdb.put32(b, 4, length);
    int i = 8;
    for (byte[] d : descriptors) {
      System.arraycopy(d, 0, b, i, d.length);
      i += d.length;
    }
    return b;
  }

  /** An iSCSI TransportID, format 01b: name ",i,0x" ISID, NUL-terminated, padded to 4 bytes. */
  static byte[] transportId(String initiatorPort) {
    byte[] name = initiatorPort.getBytes(StandardCharsets.UTF_8);
    int padded = (name.length + 1 + 3) / 4 * 4;
    padded = Math.max(padded, 20);
    byte[] b = new byte[4 + padded];
    b[0] = (byte) (0x40 | PROTOCOL_ID_ISCSI);
    Cdb.put16(b, 2, padded);
    System.arraycopy(name, 0, b, 4, name.length);
    return b;
  }

  /** Parses an iSCSI TransportID into the initiator port name it names (format 00b or 01b). */
  static String parseTransportId(byte[] list, int off, int max) throws CheckCondition {
    if (max < 4 || (list[off] & 0x0f) != PROTOCOL_ID_ISCSI) {
      throw CheckCondition.invalidParameter(off, -1);
    }
    int format = (list[off] >> 6) & 0x03;
    int len = Cdb.u16(list, off + 2);
    if (len + 4 > max || (format != 0 && format != 1)) {
      throw CheckCondition.invalidParameter(off + 2, -1);
    }
    int end = off + 4;
    while (end < off + 4 + len && list[end] != 0) {
      end++;
    }
    String s = new String(list, off + 4, end - off - 4, StandardCharsets.UTF_8);
    if (format == 1) {
      int comma = s.indexOf(",i,0x");
      if (comma < 0) {
        comma = s.indexOf(",I,0X");
      }
      if (comma < 0) {
        throw CheckCondition.invalidParameter(off + 4, -1);
      }
      String isid = s.substring(comma + 5).toLowerCase();
      return s.substring(0, comma) + ",i,0x" + isid;
    }
    return s;
  }

  // ------------------------------------------------------------------ PERSISTENT RESERVE OUT

  /**
   * Runs one PERSISTENT RESERVE OUT service action. {@code unitAttention} receives (nexus
   * predicate as registration, ASC/ASCQ) for the unit attentions it causes on other nexuses.
   *
   * @return true when the command completed, false for RESERVATION CONFLICT
   */
  synchronized boolean out(
      Nexus nexus, int action, int scope, int prType, byte[] params,
      BiConsumer<Registration, Integer> unitAttention)
      throws CheckCondition {
    long key = Cdb.u64(params, 0);
    long saKey = Cdb.u64(params, 8);
    int flags = Cdb.u8(params, 20);
    boolean specIPt = (flags & 0x08) != 0;
    boolean allTgPt = (flags & 0x04) != 0;
    boolean newAptpl = (flags & 0x01) != 0;
    Registration mine = registrationOf(nexus);
    boolean changed;
    switch (action) {
      case PROUT_REGISTER:
      case PROUT_REGISTER_AND_IGNORE_EXISTING_KEY:
        if (specIPt) {
          throw CheckCondition.invalidParameter(20, 3);
        }
        if (action == PROUT_REGISTER && (mine == null ? key != 0 : key != mine.key())) {
          return false;
        }
        changed = register(nexus, mine, saKey, allTgPt, unitAttention);
        if (changed || saKey != 0) {
          aptpl = newAptpl;
        }
        generation++;
        break;
      case PROUT_RESERVE:
        if (mine == null || mine.key() != key) {
          return false;
        }
        checkScopeAndType(scope, prType);
        if (allTgPt) {
          throw CheckCondition.invalidParameter(20, 2);
        }
        if (type != 0) {
          // Reserving again what one already holds, with the same type, is a no-op.
          return isHolder(nexus) && type == prType;
        }
        type = prType;
        holder = isAllRegistrants(prType) ? null : mine;
        changed = true;
        break;
      case PROUT_RELEASE:
        if (mine == null || mine.key() != key) {
          return false;
        }
        if (allTgPt) {
          throw CheckCondition.invalidParameter(20, 2);
        }
        if (type == 0 || !isHolder(nexus)) {
          return true;
        }
        checkScopeAndType(scope, prType);
        if (prType != type) {
          throw CheckCondition.illegalRequest(0x2604); // INVALID RELEASE OF PERSISTENT RESERVATION
        }
        int released = type;
        clearReservation();
        if (isRegistrantsOnly(released) || isAllRegistrants(released)) {
          for (Registration r : registrations) {
            if (!r.matches(nexus)) {
              unitAttention.accept(r, ASC_RESERVATIONS_RELEASED);
            }
          }
        }
        changed = true;
        break;
      case PROUT_CLEAR:
        if (mine == null || mine.key() != key) {
          return false;
        }
        for (Registration r : registrations) {
          if (!r.matches(nexus)) {
            unitAttention.accept(r, ASC_RESERVATIONS_PREEMPTED);
          }
        }
        registrations.clear();
        clearReservation();
        generation++;
        changed = true;
        break;
      case PROUT_PREEMPT:
      case PROUT_PREEMPT_AND_ABORT:
        if (mine == null || mine.key() != key) {
          return false;
        }
        if (allTgPt) {
          throw CheckCondition.invalidParameter(20, 2);
        }
        if (!preempt(nexus, mine, saKey, scope, prType, unitAttention)) {
          return false;
        }
        generation++;
        changed = true;
        break;
      case PROUT_REGISTER_AND_MOVE:
        if (!registerAndMove(nexus, mine, key, saKey, scope, prType, params)) {
          return false;
        }
        generation++;
        changed = true;
        break;
      default:
        throw CheckCondition.invalidCdbField(1, -1);
    }
    if (changed) {
      save();
    }
    return true;
  }

  private static void checkScopeAndType(int scope, int prType) throws CheckCondition {
    if (scope != 0) {
      throw CheckCondition.invalidCdbField(2, 4);
    }
    if (!isValidType(prType)) {
      throw CheckCondition.invalidCdbField(2, 0);
    }
  }

  private void clearReservation() {
    type = 0;
    holder = null;
  }

  private boolean register(
      Nexus nexus, Registration mine, long saKey, boolean allTgPt,
      BiConsumer<Registration, Integer> unitAttention) {
    if (mine == null) {
      if (saKey == 0) {
        return false;
      }
      registrations.add(
          new Registration(saKey, nexus.initiatorPortName(), nexus.relativeTargetPortId(),
              allTgPt));
      return true;
    }
    int index = registrations.indexOf(mine);
    if (saKey == 0) {
      unregister(mine, unitAttention);
      return true;
    }
    Registration updated =
        new Registration(saKey, mine.initiatorPort(), mine.relativePort(), mine.allTargetPorts());
    registrations.set(index, updated);
    if (mine.equals(holder)) {
      holder = updated;
    }
    return true;
  }

  /** Removes a registration; the holder unregistering releases the reservation (SPC-4 5.12.11). */
  private void unregister(Registration r, BiConsumer<Registration, Integer> unitAttention) {
    registrations.remove(r);
    if (type == 0) {
      return;
    }
    if (isAllRegistrants(type)) {
      if (registrations.isEmpty()) {
        clearReservation();
      }
    } else if (r.equals(holder)) {
      int released = type;
      clearReservation();
      if (isRegistrantsOnly(released)) {
        for (Registration other : registrations) {
          unitAttention.accept(other, ASC_RESERVATIONS_RELEASED);
        }
      }
    }
  }

  private boolean preempt(
      Nexus nexus, Registration mine, long saKey, int scope, int prType,
      BiConsumer<Registration, Integer> unitAttention)
      throws CheckCondition {
    if (type == 0 || (!isAllRegistrants(type) && holder.key() != saKey)) {
      // Only registrations are removed; the reservation (if any) stays as it is.
      if (saKey == 0) {
        throw CheckCondition.invalidParameter(8, -1);
      }
      return removeRegistrationsWithKey(saKey, mine, unitAttention) > 0;
    }
    checkScopeAndType(scope, prType);
    if (isAllRegistrants(type)) {
      if (saKey == 0) {
        for (Registration r : new ArrayList<>(registrations)) {
          if (!r.equals(mine)) {
            registrations.remove(r);
            unitAttention.accept(r, ASC_REGISTRATIONS_PREEMPTED);
          }
        }
        type = prType;
        holder = isAllRegistrants(prType) ? null : mine;
        return true;
      }
      return removeRegistrationsWithKey(saKey, mine, unitAttention) > 0;
    }
    // Preempting the holder: its registrations go, and the preempter becomes the holder.
    removeRegistrationsWithKey(saKey, mine, unitAttention);
    int oldType = type;
    type = prType;
    holder = isAllRegistrants(prType) ? null : mine;
    if (oldType != prType) {
      for (Registration r : registrations) {
        if (!r.equals(mine)) {
          unitAttention.accept(r, ASC_RESERVATIONS_RELEASED);
        }
      }
    }
    return true;
  }

  private int removeRegistrationsWithKey(
      long saKey, Registration keep, BiConsumer<Registration, Integer> unitAttention) {
    int removed = 0;
    for (Registration r : new ArrayList<>(registrations)) {
      if (r.key() == saKey && !r.equals(keep)) {
        registrations.remove(r);
        unitAttention.accept(r, ASC_REGISTRATIONS_PREEMPTED);
        removed++;
      }
    }
    return removed;
  }

  private boolean registerAndMove(
      Nexus nexus, Registration mine, long key, long saKey, int scope, int prType, byte[] params)
      throws CheckCondition {
    if (mine == null || mine.key() != key) {
      return false;
    }
    if (type == 0 || !isHolder(nexus) || isAllRegistrants(type)) {
      return false;
    }
    if (saKey == 0) {
      throw CheckCondition.invalidParameter(8, -1);
    }
    checkScopeAndType(scope, prType);
    boolean unreg = (Cdb.u8(params, 17) & 0x02) != 0;
    int relPort = Cdb.u16(params, 18);
    long tidLength = Cdb.u32(params, 20);
    if (params.length < 24 + tidLength) {
      throw CheckCondition.parameterListLength();
    }
    String dest = parseTransportId(params, 24, (int) tidLength);
    if (dest.equals(nexus.initiatorPortName()) && relPort == nexus.relativeTargetPortId()) {
      throw CheckCondition.invalidParameter(24, -1);
    }
    Registration destination = null;
    for (Registration r : registrations) {
      if (r.initiatorPort().equals(dest) && (r.allTargetPorts() || r.relativePort() == relPort)) {
        destination = r;
      }
    }
    if (destination == null) {
      destination = new Registration(saKey, dest, relPort, false);
      registrations.add(destination);
    } else {
      int i = registrations.indexOf(destination);
      destination =
          new Registration(saKey, destination.initiatorPort(), destination.relativePort(),
              destination.allTargetPorts());
      registrations.set(i, destination);
    }
    holder = destination;
    type = prType;
    if (unreg) {
      registrations.remove(mine);
    }
    aptpl = (Cdb.u8(params, 17) & 0x01) != 0;
    return true;
  }

  // ------------------------------------------------------------------ persistence

  private void save() {
    if (store == null) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# strata persistent reservations; rewritten on every change\n");
    sb.append("generation ").append(Integer.toUnsignedString(generation)).append('\n');
    sb.append("aptpl ").append(aptpl ? 1 : 0).append('\n');
    sb.append("type ").append(type).append('\n');
    for (Registration r : registrations) {
      sb.append(r.equals(holder) ? "holder " : "reg ")
          .append(Long.toHexString(r.key()))
          .append(' ')
          .append(r.relativePort())
          .append(' ')
          .append(r.allTargetPorts() ? 1 : 0)
          .append(' ')
          .append(r.initiatorPort())
          .append('\n');
    }
    store.saveOrThrow(sb.toString());
  }

  private void load(String saved) throws IOException {
    for (String line : saved.split("\n")) {
      String[] f = line.trim().split(" ", 5);
      if (f.length == 0 || f[0].isEmpty() || f[0].startsWith("#")) {
        continue;
      }
      try {
        switch (f[0]) {
          case "generation":
            generation = Integer.parseUnsignedInt(f[1]);
            break;
          case "aptpl":
            aptpl = "1".equals(f[1]);
            break;
          case "type":
            type = Integer.parseInt(f[1]);
            break;
          case "reg":
          case "holder":
            Registration r =
                new Registration(Long.parseUnsignedLong(f[1], 16), f[4], Integer.parseInt(f[2]),
                    "1".equals(f[3]));
            registrations.add(r);
            if (f[0].equals("holder")) {
              holder = r;
            }
            break;
          default:
            throw new IOException("unknown line: " + line);
        }
      } catch (RuntimeException e) {
        throw new IOException("corrupt " + store + " at: " + line, e);
      }
    }
    if (type != 0 && !isValidType(type)) {
      throw new IOException("corrupt " + store + ": type " + type);
    }
    if (type != 0 && !isAllRegistrants(type) && holder == null) {
      type = 0; // a reservation without its holder cannot be honoured
    }
  }
}
