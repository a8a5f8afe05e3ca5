package io.strata.csi.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the node plugin does to its host: run commands (iscsiadm, multipath, blkid, mkfs, mount, ...)
 * and touch files. Behind an interface so that unit tests check the exact command lines; {@link
 * #system()} is the real host.
 */
public interface HostCommands {

  record Result(int exit, String stdout, String stderr) {
    public boolean ok() {
      return exit == 0;
    }
  }

  Result run(List<String> command);

  boolean exists(Path path);

  void createDirectories(Path path);

  /** An empty file (the target of a block volume's bind mount), with its parent folders. */
  void createFile(Path path);

  void deleteIfExists(Path path);

  String read(Path path);

  void write(Path path, String content);

  static HostCommands system() {
    return new HostCommands() {
      @Override
      public Result run(List<String> command) {
        try {
          Path out = Files.createTempFile("csi-cmd", ".out");
          Path err = Files.createTempFile("csi-cmd", ".err");
          try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
              p.destroyForcibly();
              return new Result(-1, "", String.join(" ", command) + " did not finish in 2 minutes");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
          } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
          }
        } catch (IOException e) {
          return new Result(-1, "", e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Result(-1, "", "interrupted");
        }
      }

      @Override
      public boolean exists(Path path) {
        return Files.exists(path);
      }

      @Override
      public void createDirectories(Path path) {
        try {
          Files.createDirectories(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void createFile(Path path) {
        try {
          Files.createDirectories(path.getParent());
          if (!Files.exists(path)) {
            Files.createFile(path);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void deleteIfExists(Path path) {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public String read(Path path) {
        try {
          return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void write(Path path, String content) {
        try {
          Files.createDirectories(path.getParent());
          Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
          Files.writeString(tmp, content, StandardCharsets.UTF_8);
          Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
