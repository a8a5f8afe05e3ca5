package io.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A volume a real initiator (qemu-img over libiscsi, with CHAP) keeps writing to while a test
 * changes what is under it (a move, a pool growing or restriping, a drive replaced, a scrub): 8
 * random MiB written first, then a {@link BackgroundWriter} rewriting the first MiB round after
 * round; at the end every write must be there.
 */
final class BusyLun {
  final Initiator initiator;
  final String portal;
  final String target;
  final int lun;
  final BackgroundWriter writer;
  private final byte[] before;
  private final Path folder;

  private BusyLun(Initiator initiator, String portal, String target, int lun, byte[] before, Path folder,
      BackgroundWriter writer) {
    this.initiator = initiator;
    this.portal = portal;
    this.target = target;
    this.lun = lun;
    this.before = before;
    this.folder = folder;
    this.writer = writer;
  }

  /**
   * Volume {@code volumeId} of {@code array} attached to a new server {@code name} of the API's
   * tenant (initiator {@code iqn}, CHAP user {@code name} with {@code chapSecret}), 8 MiB of random
   * bytes ({@code seed}) written to it, and the background writer started, one write through.
   */
  static BusyLun start(Api api, JsonNode array, String volumeId, String name, String iqn, String chapSecret,
      long seed) throws Exception {
    String serverId = api.post("/api/v1/servers", Map.of("name", name, "iqn", iqn, "chapUser", name,
        "chapSecret", chapSecret)).require(201).path("id").asText();
    int lun = RunningStack.attach(api, volumeId, serverId).path("lun").asInt();
    Initiator initiator = new Initiator(iqn, name, chapSecret);
    String portal = array.path("portal").asText();
    String target = array.path("targetIqn").asText();
    RunningStack.awaitTrue("the LUN visible", () -> initiator.discover(portal).output().contains("Lun:" + lun));
    Path folder = Files.createDirectories(RunningStack.work.resolve("lun-" + name));
    byte[] before = RunningStack.randomBytes(8, seed);
    assertThat(initiator.write(portal, target, lun, Files.write(folder.resolve("before.bin"), before)).exit())
        .isZero();
    BackgroundWriter writer = new BackgroundWriter(initiator, portal, target, lun,
        Files.createDirectories(folder.resolve("writer")), Arrays.copyOf(before, 1 << 20));
    RunningStack.awaitTrue("a write through before the change", () -> writer.succeeded() > 0);
    return new BusyLun(initiator, portal, target, lun, before, folder, writer);
  }

  /**
   * Stops the writer and reads the LUN back: its first MiB holds the last write that succeeded,
   * the other 7 MiB what was written first, and no write was refused.
   */
  void assertEveryWriteKept() throws Exception {
    writer.close();
    assertEveryWriteKept(lun);
  }

  /** The same check, the writer stopped before, on the LUN the volume has now (attached again). */
  void assertEveryWriteKept(int lunNow) throws Exception {
    byte[] back = initiator.read(portal, target, lunNow, 8, folder.resolve("back.bin"));
    assertThat(Arrays.copyOf(back, 1 << 20)).as("the last write").isEqualTo(writer.lastWritten());
    assertThat(Arrays.copyOfRange(back, 1 << 20, 8 << 20)).as("the data written before")
        .isEqualTo(Arrays.copyOfRange(before, 1 << 20, 8 << 20));
    assertThat(writer.failed()).as("no write refused: the LUN served throughout").isZero();
  }
}
