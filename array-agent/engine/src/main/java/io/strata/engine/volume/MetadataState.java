package io.strata.engine.volume;

import io.strata.engine.volume.MetadataRecord.CreateClone;
import io.strata.engine.volume.MetadataRecord.CreateSnapshot;
import io.strata.engine.volume.MetadataRecord.CreateVolume;
import io.strata.engine.volume.MetadataRecord.Delete;
import io.strata.engine.volume.MetadataRecord.Resize;
import io.strata.engine.volume.MetadataRecord.Rollback;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The volume metadata in memory: every volume and snapshot with its extent map, and how many maps
 * point at each physical extent. It changes only by {@link #apply}ing {@link MetadataRecord}s, the
 * same way live and at journal replay, so what replay rebuilds is what was running.
 *
 * <p>Reference counts are derived, never stored: they are recomputed from the maps at load, so
 * they cannot disagree with them. A physical extent whose count drops to zero is free.
 */
public final class MetadataState {
  /** Extent size: 1 MiB, 2048 blocks of 512 bytes. */
  public static final int EXTENT_BYTES = 1 << 20;
  public static final int BLOCK_SIZE = 512;
  public static final int EXTENT_BLOCKS = EXTENT_BYTES / BLOCK_SIZE;
  public static final long UNMAPPED = -1;
  /** The largest value of a named record (a journal record holds at most 64 KiB). */
  public static final int MAX_RECORD_VALUE = 60 * 1024;
  /** Checkpoint bytes of one mapped (extent, physical extent) pair. */
  static final int BYTES_PER_MAPPING = 12;

  /** What an object is. */
  public enum Kind { VOLUME, SNAPSHOT }

  /** One volume or snapshot. Its map is replaced (not resized in place) when it grows. */
  public static final class Obj {
    final String name;
    final Kind kind;
    final boolean thick;
    /** For a snapshot the volume it was taken of; for a clone the snapshot it came from. */
    final String origin;
    volatile long sizeBytes;
    volatile long[] map;
    long mappedExtents;
    /** Set when the object is deleted, for whoever still holds it. */
    volatile boolean deleted;
    /** The request id of the last rollback applied to this volume, or null. */
    volatile String lastRollbackRequest;

    Obj(String name, Kind kind, long sizeBytes, boolean thick, String origin, long[] map) {
      this.name = name;
      this.kind = kind;
      this.sizeBytes = sizeBytes;
      this.thick = thick;
      this.origin = origin;
      this.map = map;
      for (long pe : map) {
        if (pe != UNMAPPED) {
          mappedExtents++;
        }
      }
    }

    public String name() {
      return name;
    }

    public Kind kind() {
      return kind;
    }

    public boolean thick() {
      return thick;
    }

    public String origin() {
      return origin;
    }

    public long sizeBytes() {
      return sizeBytes;
    }

    public long mappedExtents() {
      return mappedExtents;
    }

    /** The request id of the last rollback applied to this volume, or null. */
    public String lastRollbackRequest() {
      return lastRollbackRequest;
    }

    long extents() {
      return map.length;
    }
  }

  private final String poolName;
  /** Grows with its pool ({@link #grow}); changed under the store's metadata lock only. */
  private volatile long physicalExtents;
  private final Map<String, Obj> objects = new LinkedHashMap<>();
  private volatile AtomicIntegerArray refs;
  /** The pool's named records ({@link MetadataRecord.PutRecord}), by key. */
  private final Map<String, byte[]> records = new TreeMap<>();
  private long lastSeq;

  public MetadataState(String poolName, long physicalExtents) {
    if (physicalExtents <= 0 || physicalExtents > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a pool of " + physicalExtents + " extents");
    }
    this.poolName = poolName;
    this.physicalExtents = physicalExtents;
    this.refs = new AtomicIntegerArray((int) physicalExtents);
  }

  public String poolName() {
    return poolName;
  }

  public long physicalExtents() {
    return physicalExtents;
  }

  /**
   * The pool grew to {@code extents} physical extents: the new ones are free. Under the store's
   * metadata lock (every change of a count is), so no count is lost to the copy.
   */
  void grow(long extents) {
    if (extents < physicalExtents || extents > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("pool " + poolName + " of " + physicalExtents
          + " extents cannot become " + extents);
    }
    AtomicIntegerArray grown = new AtomicIntegerArray((int) extents);
    for (int i = 0; i < physicalExtents; i++) {
      grown.set(i, refs.get(i));
    }
    refs = grown;
    physicalExtents = extents;
  }

  public long lastSeq() {
    return lastSeq;
  }

  void setLastSeq(long seq) {
    lastSeq = seq;
  }

  public Obj get(String name) {
    return objects.get(name);
  }

  public Map<String, Obj> objects() {
    return Collections.unmodifiableMap(objects);
  }

  /** The value of named record {@code key}, or null. */
  public byte[] record(String key) {
    byte[] value = records.get(key);
    return value == null ? null : value.clone();
  }

  /** The keys of the named records, sorted. */
  public List<String> recordKeys() {
    return List.copyOf(records.keySet());
  }

  /**
   * About how many bytes a checkpoint of this state takes (within a few bytes per name): what
   * decides whether it still fits a checkpoint slot of a metadata area on the pool.
   */
  long checkpointBytes() {
    long bytes = 64;
    for (Obj o : objects.values()) {
      bytes += 32 + utf(o.name) + utf(o.origin) + utf(o.lastRollbackRequest) * 2L
          + (long) BYTES_PER_MAPPING * o.mappedExtents;
    }
    for (Map.Entry<String, byte[]> r : records.entrySet()) {
      bytes += 8 + utf(r.getKey()) + r.getValue().length;
    }
    return bytes;
  }

  /** How many bytes {@code r} adds to a checkpoint at most (0 when it cannot grow it). */
  long checkpointGrowth(MetadataRecord r) {
    if (r instanceof CreateVolume c) {
      return 32 + utf(c.name());
    } else if (r instanceof CreateSnapshot s) {
      return 32 + utf(s.name()) + utf(s.volume())
          + (long) BYTES_PER_MAPPING * objects.get(s.volume()).mappedExtents;
    } else if (r instanceof CreateClone c) {
      return 32 + utf(c.name()) + utf(c.snapshot())
          + (long) BYTES_PER_MAPPING * objects.get(c.snapshot()).mappedExtents;
    } else if (r instanceof Rollback b) {
      return utf(b.request()) * 2L + (long) BYTES_PER_MAPPING
          * Math.max(0, objects.get(b.snapshot()).mappedExtents
              - objects.get(b.volume()).mappedExtents);
    } else if (r instanceof MetadataRecord.PutRecord p && p.value() != null) {
      return 8 + utf(p.key()) + p.value().length;
    } else if (r instanceof MetadataRecord.Map m && m.physical() != UNMAPPED
        && refs(m.physical()) > 0) {
      return BYTES_PER_MAPPING; // sharing an extent (EXTENDED COPY) maps it once more
    }
    return 0; // a map to a fresh extent, deletes, unmaps, resizes: see VolumeStore#commit
  }

  private static int utf(String s) {
    return s == null ? 0 : 2 + s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  public int refs(long physical) {
    return refs.get((int) physical);
  }

  public static long extentsFor(long sizeBytes) {
    return (sizeBytes + EXTENT_BYTES - 1) / EXTENT_BYTES;
  }

  /** Extents that thick volumes may still claim: the pool keeps them for them. */
  public long reservedExtents() {
    long reserved = 0;
    for (Obj o : objects.values()) {
      if (o.thick && o.kind == Kind.VOLUME) {
        reserved += o.extents() - o.mappedExtents;
      }
    }
    return reserved;
  }

  /** Extents of the snapshot tree that nothing maps: the sum over all physical extents in use. */
  public long usedExtents() {
    long used = 0;
    for (int i = 0; i < physicalExtents; i++) {
      if (refs.get(i) > 0) {
        used++;
      }
    }
    return used;
  }

  /**
   * Why {@code r} cannot be applied to the current state, or null when it can. The store checks
   * before journaling; at replay a record that fails this check means the journal is corrupt.
   */
  public String check(MetadataRecord r) {
    if (r instanceof CreateVolume c) {
      if (objects.containsKey(c.name())) {
        return "'" + c.name() + "' already exists";
      }
      if (c.sizeBytes() <= 0 || c.sizeBytes() % BLOCK_SIZE != 0) {
        return "volume size " + c.sizeBytes() + " is not a positive multiple of " + BLOCK_SIZE;
      }
      return null;
    } else if (r instanceof CreateSnapshot s) {
      if (objects.containsKey(s.name())) {
        return "'" + s.name() + "' already exists";
      }
      return kindIs(s.volume(), Kind.VOLUME);
    } else if (r instanceof CreateClone c) {
      if (objects.containsKey(c.name())) {
        return "'" + c.name() + "' already exists";
      }
      return kindIs(c.snapshot(), Kind.SNAPSHOT);
    } else if (r instanceof Delete d) {
      return objects.containsKey(d.name()) ? null : "no volume or snapshot '" + d.name() + "'";
    } else if (r instanceof Resize z) {
      String wrong = kindIs(z.name(), Kind.VOLUME);
      if (wrong != null) {
        return wrong;
      }
      Obj o = objects.get(z.name());
      if (z.sizeBytes() < o.sizeBytes || z.sizeBytes() % BLOCK_SIZE != 0) {
        return "volume '" + z.name() + "' can only grow, by whole blocks (from " + o.sizeBytes
            + " to " + z.sizeBytes() + " bytes)";
      }
      return null;
    } else if (r instanceof MetadataRecord.Map m) {
      Obj o = objects.get(m.name());
      if (o == null) {
        return "no volume or snapshot '" + m.name() + "'";
      }
      if (m.extent() < 0 || m.extent() >= o.extents()) {
        return "extent " + m.extent() + " outside '" + m.name() + "'";
      }
      if (m.physical() < UNMAPPED || m.physical() >= physicalExtents) {
        return "physical extent " + m.physical() + " outside pool " + poolName;
      }
      return null;
    } else if (r instanceof MetadataRecord.PutRecord p) {
      if (p.key().isEmpty() || p.key().length() > 1024) {
        return "a named record's key must have 1 to 1024 characters";
      }
      if (p.value() != null && p.value().length > MAX_RECORD_VALUE) {
        return "named record '" + p.key() + "' of " + p.value().length + " bytes (at most "
            + MAX_RECORD_VALUE + ")";
      }
      return null;
    } else if (r instanceof Rollback b) {
      String wrong = kindIs(b.volume(), Kind.VOLUME);
      if (wrong == null) {
        wrong = kindIs(b.snapshot(), Kind.SNAPSHOT);
      }
      if (wrong == null && !b.volume().equals(objects.get(b.snapshot()).origin)) {
        wrong = "snapshot '" + b.snapshot() + "' was not taken of '" + b.volume() + "'";
      }
      return wrong;
    }
    return "unknown record " + r;
  }

  private String kindIs(String name, Kind kind) {
    Obj o = objects.get(name);
    if (o == null) {
      return "no " + kind.name().toLowerCase() + " '" + name + "'";
    }
    if (o.kind != kind) {
      return "'" + name + "' is a " + o.kind.name().toLowerCase() + ", not a "
          + kind.name().toLowerCase();
    }
    return null;
  }

  /**
   * Applies a record that {@link #check} accepted; returns the physical extents it freed (their
   * reference count fell to zero).
   */
  public List<Long> apply(MetadataRecord r) {
    List<Long> freed = new ArrayList<>();
    if (r instanceof MetadataRecord.PutRecord p) {
      if (p.value() == null) {
        records.remove(p.key());
      } else {
        records.put(p.key(), p.value().clone());
      }
      return freed;
    }
    if (r instanceof CreateVolume c) {
      long[] map = new long[(int) extentsFor(c.sizeBytes())];
      Arrays.fill(map, UNMAPPED);
      objects.put(c.name(), new Obj(c.name(), Kind.VOLUME, c.sizeBytes(), c.thick(), null, map));
    } else if (r instanceof CreateSnapshot s) {
      Obj v = objects.get(s.volume());
      objects.put(s.name(), share(s.name(), Kind.SNAPSHOT, v, false, s.volume()));
    } else if (r instanceof CreateClone c) {
      Obj snap = objects.get(c.snapshot());
      objects.put(c.name(), share(c.name(), Kind.VOLUME, snap, false, c.snapshot()));
    } else if (r instanceof Delete d) {
      Obj o = objects.remove(d.name());
      o.deleted = true;
      for (long pe : o.map) {
        release(pe, freed);
      }
    } else if (r instanceof Resize z) {
      Obj o = objects.get(z.name());
      long[] old = o.map;
      long[] grown = Arrays.copyOf(old, (int) extentsFor(z.sizeBytes()));
      Arrays.fill(grown, old.length, grown.length, UNMAPPED);
      o.map = grown;
      o.sizeBytes = z.sizeBytes();
    } else if (r instanceof MetadataRecord.Map m) {
      Obj o = objects.get(m.name());
      long old = o.map[(int) m.extent()];
      if (m.physical() != UNMAPPED) {
        refs.incrementAndGet((int) m.physical());
        o.mappedExtents++;
      }
      o.map[(int) m.extent()] = m.physical();
      if (old != UNMAPPED) {
        o.mappedExtents--;
        release(old, freed);
      }
    } else if (r instanceof Rollback b) {
      // In place, so that whoever holds the volume sees it; the volume keeps its size (a
      // snapshot taken before a grow leaves the grown part unmapped).
      Obj v = objects.get(b.volume());
      Obj snap = objects.get(b.snapshot());
      long[] old = v.map;
      long[] map = Arrays.copyOf(snap.map, old.length);
      Arrays.fill(map, Math.min(snap.map.length, old.length), old.length, UNMAPPED);
      long mapped = 0;
      for (long pe : map) {
        if (pe != UNMAPPED) {
          refs.incrementAndGet((int) pe);
          mapped++;
        }
      }
      v.map = map;
      v.mappedExtents = mapped;
      if (b.request() != null) {
        v.lastRollbackRequest = b.request();
      }
      for (long pe : old) {
        release(pe, freed);
      }
    }
    return freed;
  }

  private Obj share(String name, Kind kind, Obj from, boolean thick, String origin) {
    long[] map = from.map.clone();
    for (long pe : map) {
      if (pe != UNMAPPED) {
        refs.incrementAndGet((int) pe);
      }
    }
    return new Obj(name, kind, from.sizeBytes, thick, origin, map);
  }

  private void release(long pe, List<Long> freed) {
    if (pe != UNMAPPED && refs.decrementAndGet((int) pe) == 0) {
      freed.add(pe);
    }
  }

  // ------------------------------------------------------------------ checkpoint body

  /** The whole state, for a checkpoint: objects in creation order, maps as (extent, pe) pairs. */
  void writeTo(DataOutputStream out) throws IOException {
    out.writeUTF(poolName);
    out.writeLong(physicalExtents);
    out.writeLong(lastSeq);
    out.writeInt(objects.size());
    for (Obj o : objects.values()) {
      out.writeUTF(o.name);
      out.writeByte(o.kind.ordinal());
      out.writeLong(o.sizeBytes);
      out.writeBoolean(o.thick);
      out.writeUTF(o.origin == null ? "" : o.origin);
      out.writeInt(o.map.length);
      out.writeLong(o.mappedExtents);
      for (int i = 0; i < o.map.length; i++) {
        if (o.map[i] != UNMAPPED) {
          out.writeInt(i);
          out.writeLong(o.map[i]);
        }
      }
    }
    // Trailer, after what older checkpoints hold (their readers stop before it): the last
    // rollback request of each volume that had one.
    List<Obj> rolledBack = objects.values().stream()
        .filter(o -> o.lastRollbackRequest != null).toList();
    out.writeInt(rolledBack.size());
    for (Obj o : rolledBack) {
      out.writeUTF(o.name);
      out.writeUTF(o.lastRollbackRequest);
    }
    // Second trailer, only when there are named records (only pools whose metadata is on the
    // pool have any), so a checkpoint in files is byte for byte what it was.
    if (!records.isEmpty()) {
      out.writeInt(records.size());
      for (Map.Entry<String, byte[]> r : records.entrySet()) {
        out.writeUTF(r.getKey());
        out.writeInt(r.getValue().length);
        out.write(r.getValue());
      }
    }
  }

  /** The checkpoint body of this state ({@link #writeTo}). */
  byte[] checkpointBody() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeTo(out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /**
   * The state in the first {@code length} bytes of {@code body}, whose checksum was good: a body
   * that still cannot be read is corrupt ({@code where} names it in the message).
   */
  static MetadataState fromCheckpointBody(byte[] body, int length, String where)
      throws MetadataCorruptException {
    try {
      return readFrom(new DataInputStream(new java.io.ByteArrayInputStream(body, 0, length)));
    } catch (MetadataCorruptException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new MetadataCorruptException(where + " is unreadable despite a good checksum: " + e);
    }
  }

  static MetadataState readFrom(DataInputStream in) throws IOException {
    String pool = in.readUTF();
    long extents = in.readLong();
    MetadataState state = new MetadataState(pool, extents);
    state.lastSeq = in.readLong();
    int count = in.readInt();
    for (int k = 0; k < count; k++) {
      String name = in.readUTF();
      Kind kind = Kind.values()[in.readByte()];
      long size = in.readLong();
      boolean thick = in.readBoolean();
      String origin = in.readUTF();
      long[] map = new long[in.readInt()];
      Arrays.fill(map, UNMAPPED);
      long mapped = in.readLong();
      for (long i = 0; i < mapped; i++) {
        int extent = in.readInt();
        long pe = in.readLong();
        if (pe < 0 || pe >= extents || extent < 0 || extent >= map.length) {
          throw new MetadataCorruptException("checkpoint maps extent " + extent + " of '" + name
              + "' to " + pe + ", outside the pool or the volume");
        }
        map[extent] = pe;
        state.refs.incrementAndGet((int) pe);
      }
      state.objects.put(name, new Obj(name, kind, size, thick, origin.isEmpty() ? null : origin,
          map));
    }
    if (in.available() > 0) { // a checkpoint written before rollback requests has no trailer
      int rolledBack = in.readInt();
      for (int k = 0; k < rolledBack; k++) {
        Obj o = state.objects.get(in.readUTF());
        String request = in.readUTF();
        if (o == null) {
          throw new MetadataCorruptException("checkpoint names a rollback request of an object "
              + "it does not hold");
        }
        o.lastRollbackRequest = request;
      }
    }
    if (in.available() > 0) {
      int named = in.readInt();
      for (int k = 0; k < named; k++) {
        state.records.put(in.readUTF(), MetadataRecord.readValue(in));
      }
    }
    return state;
  }
}
