package io.strata.console.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs a script in a real bash (script on stdin, so no argument encoding gets in the way). */
final class Bash {
  private Bash() {}

  static String run(String script) throws IOException, InterruptedException {
    Process bash = new ProcessBuilder("bash", "-s").redirectErrorStream(true).start();
    try (OutputStream in = bash.getOutputStream()) {
      in.write(script.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = bash.getInputStream().readAllBytes();
    if (!bash.waitFor(10, TimeUnit.SECONDS)) {
      bash.destroyForcibly();
      throw new IllegalStateException("bash did not finish");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
