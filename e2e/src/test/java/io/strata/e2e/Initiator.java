package io.strata.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real iSCSI initiator: libiscsi's {@code iscsi-ls}/{@code iscsi-inq} and qemu's iSCSI block
 * driver ({@code qemu-img}), logging in as one server (its initiator name and CHAP).
 */
record Initiator(String iqn, String chapUser, String chapSecret) {

  static boolean toolsInstalled() {
    return onPath("iscsi-ls") && onPath("iscsi-inq") && onPath("qemu-img");
  }

  record Result(int exit, String output) {}

  /** SendTargets discovery with this server's name and CHAP; lists LUNs of what it may log in to. */
  Result discover(String portal) throws Exception {
    return run("iscsi-ls", "-s", "-i", iqn, "iscsi://" + chapUser + "%" + chapSecret + "@" + portal);
  }

  /** A login and INQUIRY on one LUN. */
  Result inquiry(String portal, String target, int lun) throws Exception {
    return run("iscsi-inq", "-i", iqn,
        "iscsi://" + chapUser + "%" + chapSecret + "@" + portal + "/" + target + "/" + lun);
  }

  /** Writes {@code file} at the start of the LUN. */
  Result write(String portal, String target, int lun, Path file) throws Exception {
    return run("qemu-img", "convert", "-n", "-f", "raw", "--target-image-opts", file.toString(),
        imageOpts(portal, target, lun));
  }

  /** Reads the first {@code mib} MiB of the LUN into {@code file}. */
  byte[] read(String portal, String target, int lun, int mib, Path file) throws Exception {
    Files.deleteIfExists(file);
    Result r = run("qemu-img", "dd", "--image-opts", "-O", "raw", "bs=1M", "count=" + mib,
        "if=" + imageOpts(portal, target, lun), "of=" + file);
    if (r.exit() != 0) {
      throw new AssertionError("reading LUN " + lun + " of " + target + " failed: " + r.output());
    }
    return Files.readAllBytes(file);
  }

  private String imageOpts(String portal, String target, int lun) {
    return "driver=iscsi,transport=tcp,portal=" + portal + ",target=" + target + ",lun=" + lun
        + ",user=" + chapUser + ",password=" + chapSecret + ",initiator-name=" + iqn;
  }

  static Result run(String... command) throws Exception {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
