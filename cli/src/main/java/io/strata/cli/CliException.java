package io.strata.cli;

/** A failure the CLI reports in one line on stderr and turns into its exit status. */
public class CliException extends RuntimeException {
  public final ExitCode exitCode;

  public CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }
}
