package io.strata.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the CLI takes from the process it runs in (environment variables, home folder,
 * terminal, standard streams), in one object so that tests run the CLI in-process with their own.
 */
public class Environment {
  public final Map<String, String> variables;
  public final Path home;
  public final PrintWriter out;
  public final PrintWriter err;
  /** A terminal on stderr: progress is drawn there only then. */
  public final boolean interactive;
  private final BufferedReader stdin;

  public Environment(Map<String, String> variables, Path home, PrintWriter out, PrintWriter err,
      boolean interactive, BufferedReader stdin) {
    this.variables = variables;
    this.home = home;
    this.out = out;
    this.err = err;
    this.interactive = interactive;
    this.stdin = stdin;
  }

  public static Environment ofProcess() {
    return new Environment(System.getenv(), Path.of(System.getProperty("user.home")),
        new PrintWriter(System.out, true, StandardCharsets.UTF_8), new PrintWriter(System.err, true, StandardCharsets.UTF_8),
        System.console() != null, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
  }

  public String variable(String name) {
    String v = variables.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /** {@code $XDG_CONFIG_HOME/strata}, or {@code ~/.config/strata}. */
  public Path configDir() {
    String xdg = variable("XDG_CONFIG_HOME");
    return (xdg != null ? Path.of(xdg) : home.resolve(".config")).resolve("strata");
  }

  /** Reads a secret: from the terminal without echo, else one line of standard input. */
  public String readSecret(String prompt) {
    java.io.Console console = System.console();
    if (console != null && interactive) {
      char[] chars = console.readPassword("%s", prompt);
      return chars == null ? null : new String(chars);
    }
    try {
      return stdin.readLine();
    } catch (IOException e) {
      return null;
    }
  }

  /** Waits between polls; tests replace it to run without sleeping. */
  public void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.WAIT_TIMED_OUT, "interrupted");
    }
  }
}
