package io.strata.engine.volume;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One change to the volume metadata, as the journal stores it. Each is small and of constant
 * size whatever the volume's size: a snapshot is one record, not a copy of the extent map.
 */
public sealed interface MetadataRecord {

  /** A new volume: thin (extents allocated on first write) or thick (its extents reserved). */
  record CreateVolume(String name, long sizeBytes, boolean thick) implements MetadataRecord {}

  /** A read-only snapshot of a volume: shares every extent the volume maps now. */
  record CreateSnapshot(String name, String volume) implements MetadataRecord {}

  /** A writable volume that starts as the content of a snapshot (shares its extents). */
  record CreateClone(String name, String snapshot) implements MetadataRecord {}

  /** Removes a volume or snapshot; extents no one else maps become free. */
  record Delete(String name) implements MetadataRecord {}

  /** Grows a volume. */
  record Resize(String name, long sizeBytes) implements MetadataRecord {}

  /**
   * Points logical extent {@code extent} of {@code name} at physical extent {@code physical} of
   * the pool, or deallocates it ({@code physical} = -1). Sharing an extent (EXTENDED COPY) is a
   * map to a physical extent that another object already maps.
   */
  record Map(String name, long extent, long physical) implements MetadataRecord {}

  /**
   * Makes a volume's content that of one of its snapshots again. {@code request} (null: none)
   * names who asked; the volume remembers the last one, so that a request repeated after a
   * restart or a reload is recognised as already done and does not roll back later writes.
   */
  record Rollback(String volume, String snapshot, String request) implements MetadataRecord {
    public Rollback(String volume, String snapshot) {
      this(volume, snapshot, null);
    }
  }

  /**
   * Stores {@code value} under {@code key} among the pool's named records (small things the pool
   * must carry besides its volumes: which SSDs hold its data, each LUN's persistent
   * reservations); a null value removes the key. Only pools whose metadata is on the pool write
   * these.
   */
  record PutRecord(String key, byte[] value) implements MetadataRecord {}

  byte CREATE_VOLUME = 1;
  byte CREATE_SNAPSHOT = 2;
  byte CREATE_CLONE = 3;
  byte DELETE = 4;
  byte RESIZE = 5;
  byte MAP = 6;
  byte ROLLBACK = 7;
  /** A rollback with its request id (type 7 has none, and stays readable). */
  byte ROLLBACK_REQUEST = 8;
  byte PUT_RECORD = 9;
  byte REMOVE_RECORD = 10;

  default byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      if (this instanceof CreateVolume r) {
        out.writeByte(CREATE_VOLUME);
        out.writeUTF(r.name());
        out.writeLong(r.sizeBytes());
        out.writeBoolean(r.thick());
      } else if (this instanceof CreateSnapshot r) {
        out.writeByte(CREATE_SNAPSHOT);
        out.writeUTF(r.name());
        out.writeUTF(r.volume());
      } else if (this instanceof CreateClone r) {
        out.writeByte(CREATE_CLONE);
        out.writeUTF(r.name());
        out.writeUTF(r.snapshot());
      } else if (this instanceof Delete r) {
        out.writeByte(DELETE);
        out.writeUTF(r.name());
      } else if (this instanceof Resize r) {
        out.writeByte(RESIZE);
        out.writeUTF(r.name());
        out.writeLong(r.sizeBytes());
      } else if (this instanceof Map r) {
        out.writeByte(MAP);
        out.writeUTF(r.name());
        out.writeLong(r.extent());
        out.writeLong(r.physical());
      } else if (this instanceof PutRecord r) {
        out.writeByte(r.value() == null ? REMOVE_RECORD : PUT_RECORD);
        out.writeUTF(r.key());
        if (r.value() != null) {
          out.writeInt(r.value().length);
          out.write(r.value());
        }
      } else if (this instanceof Rollback r) {
        out.writeByte(r.request() == null ? ROLLBACK : ROLLBACK_REQUEST);
        out.writeUTF(r.volume());
        out.writeUTF(r.snapshot());
        if (r.request() != null) {
          out.writeUTF(r.request());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  static MetadataRecord decode(DataInputStream in) throws IOException {
    int type = in.readByte();
    return switch (type) {
      case CREATE_VOLUME -> new CreateVolume(in.readUTF(), in.readLong(), in.readBoolean());
      case CREATE_SNAPSHOT -> new CreateSnapshot(in.readUTF(), in.readUTF());
      case CREATE_CLONE -> new CreateClone(in.readUTF(), in.readUTF());
      case DELETE -> new Delete(in.readUTF());
      case RESIZE -> new Resize(in.readUTF(), in.readLong());
      case MAP -> new Map(in.readUTF(), in.readLong(), in.readLong());
      case ROLLBACK -> new Rollback(in.readUTF(), in.readUTF());
      case ROLLBACK_REQUEST -> new Rollback(in.readUTF(), in.readUTF(), in.readUTF());
      case PUT_RECORD -> new PutRecord(in.readUTF(), readValue(in));
      case REMOVE_RECORD -> new PutRecord(in.readUTF(), null);
      default -> throw new IOException("unknown metadata record type " + type);
    };
  }

  /** A length-prefixed value of a named record, refusing a length no record can have. */
  static byte[] readValue(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MetadataState.MAX_RECORD_VALUE) {
      throw new IOException("a named record of " + length + " bytes");
    }
    byte[] value = new byte[length];
    in.readFully(value);
    return value;
  }
}
