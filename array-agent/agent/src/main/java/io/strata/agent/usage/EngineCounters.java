package io.strata.agent.usage;

import java.nio.file.Path;

/**
 * One reading of an engine's stats file ({@code strata-engine --stats}): counters since the
 * engine process started, identified by its pid and start time.
 */
public record EngineCounters(String run, long readOps, long writeOps, long readBytes, long writeBytes) {

  public static final EngineCounters NONE = new EngineCounters("", 0, 0, 0, 0);

  /** The counters in {@code file}, or {@link #NONE} when there is no (readable) file. */
  public static EngineCounters read(Path file) {
    return EngineStats.read(file).counters();
  }

  /**
   * What happened between {@code earlier} and this reading. When the engine restarted in between
   * (another run), its counters began again at zero, so this reading is all there is to count;
   * what the old run did after the earlier reading is lost (at most one stats period, 1 s).
   */
  public EngineCounters since(EngineCounters earlier) {
    if (!run.equals(earlier.run) || readOps < earlier.readOps || writeOps < earlier.writeOps) {
      return this;
    }
    return new EngineCounters(run, readOps - earlier.readOps, writeOps - earlier.writeOps,
        readBytes - earlier.readBytes, writeBytes - earlier.writeBytes);
  }
}
