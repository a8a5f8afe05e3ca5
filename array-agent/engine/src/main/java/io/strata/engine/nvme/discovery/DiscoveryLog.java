package io.strata.engine.nvme.discovery;

import io.strata.engine.nvme.admin.IdentifyData;
import io.strata.engine.nvme.fabrics.Subsystem;
import io.strata.engine.transport.Portal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The Discovery log page (LID 70h): a 1024-byte header, then one 1024-byte entry per subsystem
 * and portal the asking host may connect to. Hosts the subsystem does not admit see nothing of
 * it, as iSCSI SendTargets shows an initiator only the targets it may log in to.
 */
public final class DiscoveryLog {
  private DiscoveryLog() {}

  public static final int LOG_ID = 0x70;
  private static final int ENTRY = 1024;

  /**
   * @param generation changes whenever the log's content may have (GENCTR); hosts reread on change
   */
  public static ByteBuffer build(long generation, List<Subsystem> visible, List<Portal> portals) {
    int records = visible.size() * portals.size();
    ByteBuffer b = ByteBuffer.allocate(ENTRY * (1 + records)).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, generation); // GENCTR
    b.putLong(8, records); // NUMREC
    b.putShort(16, (short) 0); // RECFMT
    int at = ENTRY;
    for (Subsystem s : visible) {
      for (Portal p : portals) {
        entry(b, at, s, p);
        at += ENTRY;
      }
    }
    return b;
  }

  private static void entry(ByteBuffer b, int at, Subsystem s, Portal p) {
    boolean ipv6 = p.host().contains(":");
    b.put(at, (byte) 3); // TRTYPE: TCP
    b.put(at + 1, (byte) (ipv6 ? 2 : 1)); // ADRFAM: IPv6 / IPv4
    b.put(at + 2, (byte) 2); // SUBTYPE: NVM subsystem
    b.put(at + 3, (byte) 0x02); // TREQ: secure channel not required
    b.putShort(at + 4, (short) p.groupTag()); // PORTID
    b.putShort(at + 6, (short) 0xFFFF); // CNTLID: dynamic controllers
    b.putShort(at + 8, (short) 32); // ASQSZ: admin queue of 32 entries
    IdentifyData.ascii(b, at + 32, 32, Integer.toString(p.port())); // TRSVCID
    IdentifyData.ascii0(b, at + 256, 256, s.nqn()); // SUBNQN
    IdentifyData.ascii(b, at + 512, 256, p.host()); // TRADDR
    // TSAS (at + 768): SECTYPE 0, no security.
  }
}
