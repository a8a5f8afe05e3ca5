package io.strata.engine.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The steps the kill-and-verify ITs of online pool changes share ({@link PoolGrowCrashIT},
 * {@link MemberReplaceCrashIT}): the packaged engine on a layout file it reloads; the first 8 MiB
 * of LUN 0 written in 4 KiB chunks, each chunk's last acknowledged generation remembered; random
 * writes until the engine logs that the change is under way; a SIGKILL with one more write in
 * flight (afterwards its chunk may hold either its old or its new data, nothing else); and, after
 * the restart, every chunk read back as acknowledged.
 */
final class KilledWhileWriting implements AutoCloseable {
  static final int CHUNKS = 2048; // 4 KiB each: the first 8 MiB of the volume
  static final int BLOCKS = 8;

  final Path layout;
  final Path status;
  final int port;
  private final Path dir;
  private final String iqn;
  private final String host;
  EngineProcess engine;

  private final long[] acknowledged = new long[CHUNKS];
  private final Random random = new Random(18);
  private long generation = 1;
  private int inFlight = -1;
  private long inFlightGeneration;

  KilledWhileWriting(Path dir, String iqn, String host) throws IOException {
    this.dir = dir;
    this.layout = dir.resolve("array.json");
    this.status = dir.resolve("layout-status.json");
    this.port = EngineProcess.freePort();
    this.iqn = iqn;
    this.host = host;
  }

  /** File drives named {@code names} (64 MiB SSDs, files {@code <name>.img} beside the layout). */
  static String drives(String... names) {
    StringBuilder out = new StringBuilder();
    for (String n : names) {
      out.append(out.isEmpty() ? "" : ", ").append("{\"name\": \"").append(n)
          .append("\", \"path\": \"").append(n).append(".img\", \"media\": \"SSD\", \"size\": \"64M\"}");
    }
    return out.toString();
  }

  /** What chunk {@code chunk} holds at {@code generation}: 4 KiB naming both. */
  static byte[] stamp(int chunk, long generation) {
    ByteBuffer b = ByteBuffer.allocate(BLOCKS * 512);
    while (b.hasRemaining()) {
      b.putInt(chunk).putLong(generation).putInt(0x5354524d);
    }
    return b.array();
  }

  /** Replaces the layout file at once (the engine may read it at any time). */
  void writeLayout(String json) throws IOException {
    Path tmp = dir.resolve("array.json.tmp");
    Files.writeString(tmp, json);
    Files.move(tmp, layout, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Starts the packaged engine on the layout and waits until it applied {@code revision} without error. */
  void start(long revision) throws Exception {
    engine = EngineProcess.start("--portal", "127.0.0.1:" + port, "--iqn", iqn,
        "--layout", layout.toString(), "--layout-status", status.toString());
    JsonNode started = engine.awaitLayoutStatus(status, revision);
    assertThat(started.path("ok").asBoolean()).as(started.toString()).isTrue();
  }

  /** A logged-in session on LUN 0, ready. */
  TestInitiator session() throws IOException {
    TestInitiator session = new TestInitiator("127.0.0.1", port, iqn, host);
    session.testUnitReady();
    return session;
  }

  String output() {
    return engine.output.toString();
  }

  /** Every chunk at generation 1. */
  void writeEveryChunk(TestInitiator session) throws IOException {
    for (int k = 0; k < CHUNKS; k++) {
      session.write((long) k * BLOCKS, stamp(k, 1), false);
      acknowledged[k] = 1;
    }
  }

  /** Random chunks, a new generation each, until the engine logs {@code line} (2 min at most). */
  void writeUntilTheEngineSays(TestInitiator session, String line, String what) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!output().contains(line)) {
      assertThat(System.nanoTime()).as("the engine never " + what + ":\n" + output()).isLessThan(deadline);
      writeRandomChunk(session);
    }
  }

  /** {@code count} more random chunks, a new generation each. */
  void writeRandomChunks(TestInitiator session, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      writeRandomChunk(session);
    }
  }

  private void writeRandomChunk(TestInitiator session) throws IOException {
    int k = random.nextInt(CHUNKS);
    session.write((long) k * BLOCKS, stamp(k, ++generation), false);
    acknowledged[k] = generation;
  }

  /** SIGKILL while one more random chunk's write is in flight. */
  void killWithAWriteInFlight(TestInitiator session) throws Exception {
    int k = random.nextInt(CHUNKS);
    long g = ++generation;
    inFlight = k;
    inFlightGeneration = g;
    Thread writer = new Thread(() -> {
      try {
        session.write((long) k * BLOCKS, stamp(k, g), false);
      } catch (IOException e) {
        // killed under it: either version may be there
      }
    });
    writer.start();
    engine.killHard();
    writer.join(30_000);
  }

  /** Every chunk holds its last acknowledged write (the one in flight at the kill: that or the one before). */
  void verify(TestInitiator session, String when) throws IOException {
    for (int k = 0; k < CHUNKS; k++) {
      byte[] got = session.read((long) k * BLOCKS, BLOCKS);
      if (k == inFlight && Arrays.equals(got, stamp(k, inFlightGeneration))) {
        continue;
      }
      assertThat(got).as("%s: chunk %d", when, k).isEqualTo(stamp(k, acknowledged[k]));
    }
  }

  /** Waits until the engine logs {@code text}. */
  void awaitOutput(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EngineProcess.READY_SECONDS * 2L);
    while (!output().contains(text)) {
      assertThat(System.nanoTime()).as("waiting for '" + text + "':\n" + output()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws Exception {
    if (engine != null) {
      engine.close();
    }
  }
}
