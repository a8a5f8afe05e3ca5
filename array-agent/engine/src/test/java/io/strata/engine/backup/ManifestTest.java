package io.strata.engine.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);

  static Manifest manifest(List<Manifest.Chunk> chunks) {
    return new Manifest(Manifest.FORMAT, "0001", "v", "s1", "2026-12-08T02:30:00Z", 3L << 20, 512,
        1 << 20, chunks);
  }

  @Test
  void readsBackWhatItWrote() {
    Manifest m = manifest(List.of(new Manifest.Chunk(0, 1 << 20, A),
        new Manifest.Chunk(2L << 20, 1 << 20, B), new Manifest.Chunk(1L << 20, 1 << 20, A))
        .stream().sorted((x, y) -> Long.compare(x.offset(), y.offset())).toList());

    Manifest back = Manifest.decode("k", m.encode());

    assertThat(back).isEqualTo(m);
    assertThat(back.chunkNames()).containsExactlyInAnyOrder(A, B);
    assertThat(back.storedBytes()).isEqualTo(3L << 20);
  }

  @Test
  void refusesChunksOutOfOrderOrPastTheEnd() {
    Manifest unordered = manifest(List.of(new Manifest.Chunk(1L << 20, 1 << 20, A),
        new Manifest.Chunk(0, 1 << 20, B)));
    Manifest pastEnd = manifest(List.of(new Manifest.Chunk(3L << 20, 1 << 20, A)));

    assertThatThrownBy(() -> Manifest.decode("k1", unordered.encode()))
        .isInstanceOf(CorruptBackupException.class).hasMessageContaining("k1");
    assertThatThrownBy(() -> Manifest.decode("k2", pastEnd.encode()))
        .isInstanceOf(CorruptBackupException.class).hasMessageContaining("past the volume's end");
  }

  @Test
  void refusesWhatIsNotAManifest() {
    assertThatThrownBy(() -> Manifest.decode("k", "not zstd".getBytes()))
        .isInstanceOf(CorruptBackupException.class).hasMessageContaining("manifest k");
  }

  @Test
  void aChunkDamagedInStoreIsRefusedNamingItsOffset() {
    byte[] data = new byte[4096];
    data[7] = 1;
    Manifest.Chunk chunk = new Manifest.Chunk(8192, 4096, ChunkCodec.sha256(data, data.length));
    byte[] stored = ChunkCodec.compress(data, data.length);
    assertThat(ChunkCodec.decompressAndVerify(stored, chunk)).isEqualTo(data);

    data[7] = 2;
    byte[] other = ChunkCodec.compress(data, data.length);

    assertThatThrownBy(() -> ChunkCodec.decompressAndVerify(other, chunk))
        .isInstanceOf(CorruptBackupException.class).hasMessageContaining("offset 8192");
  }

  @Test
  void aTargetWithABadBucketNameIsRefusedNamingTheField() {
    assertThatThrownBy(() -> new BackupTarget(java.net.URI.create("http://127.0.0.1:1"),
        "us-east-1", "Bad_Bucket", "", "k", "s"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("bucket:");
    assertThatThrownBy(() -> new BackupTarget(java.net.URI.create("http://127.0.0.1:1"),
        "us-east-1", "good-bucket", "/t1", "k", "s"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("prefix:");
  }
}
