package io.strata.engine.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An array layout (the engine's --layout JSON) that a test edits: file drives in one pool (by
 * default two in a mirror), volumes, snapshots and LUNs. {@link #apply} rewrites the file atomically and signals the
 * engine with SIGHUP, then waits for it to say the layout was applied.
 */
final class LayoutFile {
  record Vol(String name, String size, String cloneOf) {}

  record Snap(String name, String volume) {}

  final Path file;
  final List<Vol> volumes = new ArrayList<>();
  final List<Snap> snapshots = new ArrayList<>();
  final List<String> luns = new ArrayList<>(); // index = LUN number; null = none
  String driveSize = "300M";
  /** The pool's protection and its number of drives (a mirror of two unless a test says). */
  String protection = "mirror";
  int driveCount = 2;
  /** The pool's "scrub" block as JSON (docs/block-stack.md, "Scrub"), or null for none. */
  String scrub;

  LayoutFile(Path file) {
    this.file = file;
  }

  String json() {
    StringBuilder sb = new StringBuilder();
    sb.append("{\n  \"metadata\": \"meta\",\n  \"drives\": [\n");
    List<String> drives = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < driveCount; i++) {
      drives.add("    {\"name\": \"ssd" + i + "\", \"path\": \"ssd" + i
          + ".img\", \"media\": \"SSD\", \"size\": \"" + driveSize + "\"}");
      names.add("\"ssd" + i + "\"");
    }
    sb.append(String.join(",\n", drives)).append("\n  ],\n")
        .append("  \"pools\": [{\"name\": \"p0\", \"drives\": [")
        .append(String.join(", ", names)).append("], ")
        .append("\"protection\": \"").append(protection).append('"')
        .append(scrub == null ? "" : ", \"scrub\": " + scrub).append("}],\n  \"volumes\": [\n");
    for (int i = 0; i < volumes.size(); i++) {
      Vol v = volumes.get(i);
      sb.append("    {\"name\": \"").append(v.name()).append("\", \"pool\": \"p0\"");
      if (v.size() != null) {
        sb.append(", \"size\": \"").append(v.size()).append('"');
      }
      if (v.cloneOf() != null) {
        sb.append(", \"cloneOf\": \"").append(v.cloneOf()).append('"');
      }
      sb.append(i + 1 < volumes.size() ? "},\n" : "}\n");
    }
    sb.append("  ],\n  \"snapshots\": [\n");
    for (int i = 0; i < snapshots.size(); i++) {
      Snap s = snapshots.get(i);
      sb.append("    {\"name\": \"").append(s.name()).append("\", \"volume\": \"")
          .append(s.volume()).append(i + 1 < snapshots.size() ? "\"},\n" : "\"}\n");
    }
    sb.append("  ],\n  \"luns\": [\n");
    List<String> entries = new ArrayList<>();
    for (int lun = 0; lun < luns.size(); lun++) {
      if (luns.get(lun) != null) {
        entries.add("    {\"lun\": " + lun + ", \"volume\": \"" + luns.get(lun) + "\"}");
      }
    }
    sb.append(String.join(",\n", entries)).append("\n  ]\n}\n");
    return sb.toString();
  }

  void setLun(int lun, String name) {
    while (luns.size() <= lun) {
      luns.add(null);
    }
    luns.set(lun, name);
  }

  void write() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, json());
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Writes the file, sends SIGHUP and waits until the engine applied it. */
  void apply(EngineProcess engine) throws Exception {
    write();
    int before = count(engine.output.toString(), "layout applied");
    int failedBefore = count(engine.output.toString(), "layout NOT applied");
    new ProcessBuilder("kill", "-HUP", Long.toString(engine.process.pid())).start().waitFor();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      String out = engine.output.toString();
      if (count(out, "layout applied") > before) {
        return;
      }
      if (!engine.process.isAlive()) {
        throw new IOException("the engine died before it applied the layout");
      }
      if (count(out, "layout NOT applied") > failedBefore) {
        throw new IllegalStateException("engine refused the layout:\n" + out);
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("engine did not apply the layout:\n" + engine.output);
  }

  static int count(String text, String what) {
    int n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
