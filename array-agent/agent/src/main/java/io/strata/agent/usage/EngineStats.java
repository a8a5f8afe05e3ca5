package io.strata.agent.usage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.engine.stats.PoolUsage;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.VolumeFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One reading of an engine's stats file ({@code strata-engine --stats}, the engine's
 * {@code StatsFile}): the file is read and parsed once, and everything the agent wants from it —
 * usage samples, metrics, performance samples — comes from this reading.
 *
 * @param counters the engine-wide I/O counters
 * @param space what the pools hold
 * @param sessions iSCSI sessions open on the engine's target
 * @param volumes per-LUN I/O (LUNs that did I/O since the engine started)
 * @param scrubs each pool's running or last scrub (pools never scrubbed are absent)
 */
public record EngineStats(EngineCounters counters, EngineSpace space, int sessions,
    List<VolumeFigures> volumes, List<StackFigures.Cache> caches, List<StackFigures.Tier> tiers,
    List<StackFigures.DriveState> drives, List<StackFigures.Rebuild> rebuilds,
    List<StackFigures.Scrub> scrubs) {

  /** No engine, or no readable file: nothing measured. */
  public static final EngineStats NONE = new EngineStats(EngineCounters.NONE, EngineSpace.NONE, 0,
      List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

  /** Stats without scrubs (from an engine that does not report them). */
  public EngineStats(EngineCounters counters, EngineSpace space, int sessions,
      List<VolumeFigures> volumes, List<StackFigures.Cache> caches, List<StackFigures.Tier> tiers,
      List<StackFigures.DriveState> drives, List<StackFigures.Rebuild> rebuilds) {
    this(counters, space, sessions, volumes, caches, tiers, drives, rebuilds, List.of());
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The stats in {@code file}, or {@link #NONE} when there is no (readable) file. */
  public static EngineStats read(Path file) {
    if (!Files.isRegularFile(file)) {
      return NONE;
    }
    try {
      return parse(JSON.readTree(file.toFile()));
    } catch (IOException | IllegalArgumentException e) {
      return NONE;
    }
  }

  static EngineStats parse(JsonNode n) throws IOException {
    EngineCounters counters = new EngineCounters(n.path("pid").asText() + "@" + n.path("startedAt").asText(),
        n.path("readOps").asLong(), n.path("writeOps").asLong(), n.path("readBytes").asLong(),
        n.path("writeBytes").asLong());
    return new EngineStats(counters, new EngineSpace(list(n, "pools", PoolUsage.class)),
        n.path("sessions").asInt(), list(n, "volumes", VolumeFigures.class),
        list(n, "caches", StackFigures.Cache.class), list(n, "tiers", StackFigures.Tier.class),
        list(n, "drives", StackFigures.DriveState.class), list(n, "rebuilds", StackFigures.Rebuild.class),
        list(n, "scrubs", StackFigures.Scrub.class));
  }

  /** A list field of the file; a file from an engine that did not write it yet has none. */
  private static <T> List<T> list(JsonNode n, String field, Class<T> type) throws IOException {
    List<T> out = new ArrayList<>();
    for (JsonNode item : n.path(field)) {
      out.add(JSON.treeToValue(item, type));
    }
    return List.copyOf(out);
  }
}
