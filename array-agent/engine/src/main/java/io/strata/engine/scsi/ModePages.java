package io.strata.engine.scsi;

import java.io.ByteArrayOutputStream;

/**
 * The mode pages of a logical unit (SPC-4 7.5, SBC-3 6.4) and MODE SENSE / MODE SELECT.
 *
 * <p>Pages: 01h read-write error recovery, 08h caching (WCE changeable), 0Ah control, 1Ch
 * informational exceptions. Only WCE can be changed. Saved values are the defaults: the engine
 * keeps no saved mode parameters, and after a restart the defaults apply, so that is what SAVED
 * reports. MODE SELECT with SP=1 is refused for the same reason.
 */
final class ModePages {
  static final int PAGE_RW_ERROR_RECOVERY = 0x01;
  static final int PAGE_CACHING = 0x08;
  static final int PAGE_CONTROL = 0x0a;
  static final int PAGE_INFORMATIONAL_EXCEPTIONS = 0x1c;
  static final int ALL_PAGES = 0x3f;

  static final int PC_CURRENT = 0;
  static final int PC_CHANGEABLE = 1;
  static final int PC_DEFAULT = 2;
  static final int PC_SAVED = 3;

  private static final int[] PAGE_ORDER = {
    PAGE_RW_ERROR_RECOVERY, PAGE_CACHING, PAGE_CONTROL, PAGE_INFORMATIONAL_EXCEPTIONS
  };

  private volatile boolean writeCacheEnabled = true;

  /** WCE: when false, every write is made durable before it completes. */
  /** Takes the current values of {@code previous} (the logical unit this one replaces). */
  void adopt(ModePages previous) {
    writeCacheEnabled = previous.writeCacheEnabled;
  }

  boolean writeCacheEnabled() {
    return writeCacheEnabled;
  }

  static boolean isSupported(int page) {
    for (int p : PAGE_ORDER) {
      if (p == page) {
        return true;
      }
    }
    return false;
  }

  /** The bytes of one page (header byte 0-1 included) for page control {@code pc}. */
  byte[] page(int code, int pc) {
    switch (code) {
      case PAGE_RW_ERROR_RECOVERY:
        {
          byte[] p = new byte[12];
          p[0] = PAGE_RW_ERROR_RECOVERY;
          p[1] = 0x0a;
          return p;
        }
      case PAGE_CACHING:
        {
          byte[] p = new byte[20];
          p[0] = PAGE_CACHING;
          p[1] = 0x12;
          if (pc == PC_CHANGEABLE) {
            p[2] = 0x04; // WCE
          } else {
            boolean wce = pc == PC_CURRENT ? writeCacheEnabled : true;
            p[2] = (byte) (wce ? 0x04 : 0x00);
          }
          return p;
        }
      case PAGE_CONTROL:
        {
          byte[] p = new byte[12];
          p[0] = PAGE_CONTROL;
          p[1] = 0x0a;
          if (pc != PC_CHANGEABLE) {
            p[2] = 0x00; // TST=000 (one task set), D_SENSE=0: fixed-format sense
            p[3] = 0x10; // QUEUE ALGORITHM MODIFIER=1 (unrestricted reordering), QERR=00
            p[5] = 0x40; // TAS: aborted tasks of other nexuses end with TASK ABORTED
            p[8] = (byte) 0xff; // BUSY TIMEOUT PERIOD: unlimited
            p[9] = (byte) 0xff;
          }
          return p;
        }
      case PAGE_INFORMATIONAL_EXCEPTIONS:
        {
          byte[] p = new byte[12];
          p[0] = PAGE_INFORMATIONAL_EXCEPTIONS;
          p[1] = 0x0a;
          return p;
        }
      default:
        throw new IllegalArgumentException("unsupported page " + code);
    }
  }

  /** The pages MODE SENSE returns for page code {@code code} and subpage {@code subpage}. */
  byte[] pages(int code, int subpage, int pc) throws CheckCondition {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (code == ALL_PAGES) {
      if (subpage != 0x00 && subpage != 0xff) {
        throw CheckCondition.invalidCdbField(3, -1);
      }
      for (int p : PAGE_ORDER) {
        out.writeBytes(page(p, pc));
      }
    } else {
      if (!isSupported(code) || (subpage != 0x00 && subpage != 0xff)) {
        throw CheckCondition.invalidCdbField(subpage != 0 && isSupported(code) ? 3 : 2, -1);
      }
      out.writeBytes(page(code, pc));
    }
    return out.toByteArray();
  }

  /**
   * Applies the pages of a MODE SELECT parameter list that starts at {@code offset} (after the
   * header and block descriptors). Every non-changeable field must equal its current value.
   */
  void select(byte[] list, int offset) throws CheckCondition {
    // Validate every page first, then apply, so a bad second page changes nothing.
    boolean newWce = writeCacheEnabled;
    int i = offset;
    while (i < list.length) {
      int code = list[i] & 0x3f;
      boolean spf = (list[i] & 0x40) != 0;
      if (spf || !isSupported(code)) {
        throw CheckCondition.invalidParameter(i, -1);
      }
      if (i + 1 >= list.length) {
        throw CheckCondition.parameterListLength();
      }
      byte[] current = page(code, PC_CURRENT);
      byte[] changeable = page(code, PC_CHANGEABLE);
      int length = (list[i + 1] & 0xff) + 2;
      if (length != current.length) {
        throw CheckCondition.invalidParameter(i + 1, -1);
      }
      if (i + length > list.length) {
        throw CheckCondition.parameterListLength();
      }
      for (int j = 2; j < length; j++) {
        int diff = (list[i + j] ^ current[j]) & ~changeable[j] & 0xff;
        if (diff != 0) {
          throw CheckCondition.invalidParameter(i + j, Integer.numberOfTrailingZeros(diff));
        }
      }
      if (code == PAGE_CACHING) {
        newWce = (list[i + 2] & 0x04) != 0;
      }
      i += length;
    }
    writeCacheEnabled = newWce;
  }
}
