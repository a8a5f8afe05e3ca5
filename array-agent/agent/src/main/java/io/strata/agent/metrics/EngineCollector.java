package io.strata.agent.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.strata.agent.usage.EngineStats;
import io.strata.engine.stats.LatencyHistogram;
import io.strata.engine.stats.StackFigures;
import io.strata.engine.stats.VolumeFigures;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The engines' detailed figures — per volume I/O, latency histograms and queue depth, per pool
 * cache, tier mover, rebuild and scrub, per drive state and errors, per array iSCSI sessions — written
 * straight from the readings {@link EngineMetrics} keeps, at scrape time. A Prometheus collector
 * rather than Micrometer meters because these series come and go with volumes and drives every
 * refresh, and because the latency histograms come with their buckets already counted by the
 * engine (Micrometer builds histograms only from values it records itself).
 *
 * <p>Labels: {@code array}, {@code tenant}, and {@code volume}, {@code pool} or {@code drive}
 * (ids and names bounded by what this node holds), {@code op} ({@code read}, {@code write}),
 * {@code state} and {@code le} (fixed sets).
 */
public final class EngineCollector extends Collector {

  private static final List<String> VOLUME = List.of("array", "tenant", "volume");
  private static final List<String> POOL = List.of("array", "tenant", "pool");
  private static final List<String> DRIVE = List.of("array", "tenant", "drive", "pool");
  private static final List<String> DRIVE_STATES = List.of("ONLINE", "REBUILDING", "FAILED");
  static final String LATENCY = "strata_volume_io_latency_seconds";

  private final Supplier<? extends Iterable<EngineMetrics.Reading>> readings;

  public EngineCollector(EngineMetrics metrics) {
    this(metrics::readings);
  }

  EngineCollector(Supplier<? extends Iterable<EngineMetrics.Reading>> readings) {
    this.readings = readings;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    CounterMetricFamily reads = new CounterMetricFamily("strata_volume_read_operations_total",
        "Reads of the volume its array's engine completed (since the engine started)", VOLUME);
    CounterMetricFamily writes = new CounterMetricFamily("strata_volume_write_operations_total",
        "Writes to the volume its array's engine completed (since the engine started)", VOLUME);
    CounterMetricFamily readBytes = new CounterMetricFamily("strata_volume_read_bytes_total",
        "Bytes initiators read from the volume (since the engine started)", VOLUME);
    CounterMetricFamily writtenBytes = new CounterMetricFamily("strata_volume_written_bytes_total",
        "Bytes initiators wrote to the volume (since the engine started)", VOLUME);
    GaugeMetricFamily queue = new GaugeMetricFamily("strata_volume_queue_depth",
        "Commands of the volume its engine was executing when it last wrote its stats (once a second)", VOLUME);
    List<MetricFamilySamples.Sample> latency = new ArrayList<>();
    GaugeMetricFamily sessions = new GaugeMetricFamily("strata_array_iscsi_sessions",
        "iSCSI sessions logged in to the array's target", List.of("array", "tenant"));
    CounterMetricFamily hits = new CounterMetricFamily("strata_pool_cache_read_hits_total",
        "Read segments (one per cache line touched) the pool's flash cache served from SSD", POOL);
    CounterMetricFamily misses = new CounterMetricFamily("strata_pool_cache_read_misses_total",
        "Read segments the pool's flash cache read from the backing drives", POOL);
    GaugeMetricFamily dirty = new GaugeMetricFamily("strata_pool_cache_dirty_bytes",
        "Bytes written to the pool's flash cache not yet destaged to its drives", POOL);
    GaugeMetricFamily cached = new GaugeMetricFamily("strata_pool_cache_cached_bytes",
        "Bytes of the pool's data held in its flash cache", POOL);
    CounterMetricFamily promoted = new CounterMetricFamily("strata_pool_tier_promoted_bytes_total",
        "Bytes the pool's tier mover moved from HDD to SSD (since the engine started)", POOL);
    CounterMetricFamily demoted = new CounterMetricFamily("strata_pool_tier_demoted_bytes_total",
        "Bytes the pool's tier mover moved from SSD to HDD (since the engine started)", POOL);
    GaugeMetricFamily rebuilding = new GaugeMetricFamily("strata_pool_rebuilding_drives",
        "Drives of the pool being rebuilt or resynced now", POOL);
    GaugeMetricFamily progress = new GaugeMetricFamily("strata_pool_rebuild_progress_ratio",
        "Share of the running rebuild done (0 to 1; 1 when none runs)", POOL);
    GaugeMetricFamily remaining = new GaugeMetricFamily("strata_pool_rebuild_remaining_bytes",
        "Bytes of the drive the running rebuild or member copy has still to write (0 when none runs)", POOL);
    GaugeMetricFamily scrubRunning = new GaugeMetricFamily("strata_pool_scrub_running",
        "1 while a scrub of the pool runs, 0 when its last one is done, stopped or failed", POOL);
    GaugeMetricFamily scrubProgress = new GaugeMetricFamily("strata_pool_scrub_progress_ratio",
        "Share of the pool's running (or last) scrub done, 0 to 1", POOL);
    CounterMetricFamily scrubMismatched = new CounterMetricFamily("strata_pool_scrub_mismatched_blocks_total",
        "512-byte blocks whose copies or parity disagreed, found by the pool's running or last scrub (since that"
            + " scrub started: a new scrub starts again at 0)", POOL);
    CounterMetricFamily scrubRepaired = new CounterMetricFamily("strata_pool_scrub_repaired_blocks_total",
        "Blocks the pool's running or last scrub rewrote from the redundancy (since that scrub started)", POOL);
    CounterMetricFamily scrubUnrepairable = new CounterMetricFamily("strata_pool_scrub_unrepairable_blocks_total",
        "Blocks the pool's running or last scrub found wrong and could not tell right (since that scrub started)",
        POOL);
    GaugeMetricFamily scrubFinished = new GaugeMetricFamily("strata_pool_scrub_last_finished_timestamp_seconds",
        "When the pool's last finished scrub ended (Unix time)", POOL);
    CounterMetricFamily errors = new CounterMetricFamily("strata_drive_io_errors_total",
        "I/O errors of the drive (since the engine started)", DRIVE);
    List<String> driveState = new ArrayList<>(DRIVE);
    driveState.add("state");
    GaugeMetricFamily states = new GaugeMetricFamily("strata_drive_state",
        "1 for the state the drive is in (ONLINE, REBUILDING, FAILED), 0 for the others", driveState);

    for (EngineMetrics.Reading r : readings.get()) {
      String array = r.view().arrayId();
      String tenant = r.view().tenant();
      EngineStats s = r.stats();
      if (r.view().engineRunning() || s != EngineStats.NONE) {
        sessions.addMetric(List.of(array, tenant), s.sessions());
      }
      for (VolumeFigures v : s.volumes()) {
        if (v.volume() == null) {
          continue; // a LUN the layout no longer shows
        }
        List<String> labels = List.of(array, tenant, v.volume());
        reads.addMetric(labels, v.readOps());
        writes.addMetric(labels, v.writeOps());
        readBytes.addMetric(labels, v.readBytes());
        writtenBytes.addMetric(labels, v.writeBytes());
        queue.addMetric(labels, v.queueDepth());
        histogram(latency, labels, "read", v.readLatency());
        histogram(latency, labels, "write", v.writeLatency());
      }
      for (StackFigures.Cache c : s.caches()) {
        List<String> labels = List.of(array, tenant, c.pool());
        hits.addMetric(labels, c.readHits());
        misses.addMetric(labels, c.readMisses());
        dirty.addMetric(labels, c.dirtyBytes());
        cached.addMetric(labels, c.cachedBytes());
      }
      for (StackFigures.Tier t : s.tiers()) {
        List<String> labels = List.of(array, tenant, t.pool());
        promoted.addMetric(labels, t.promotedBytes());
        demoted.addMetric(labels, t.demotedBytes());
      }
      for (StackFigures.Rebuild b : s.rebuilds()) {
        List<String> labels = List.of(array, tenant, b.pool());
        rebuilding.addMetric(labels, b.rebuildingMembers());
        progress.addMetric(labels, b.rowsTotal() <= 0 ? 1 : Math.min(1, (double) b.rowsDone() / b.rowsTotal()));
        long total = b.bytesTotal() > 0 ? b.bytesTotal() : b.rowsTotal() << 20; // an engine from before bytes
        long done = b.bytesTotal() > 0 ? b.bytesDone() : b.rowsDone() << 20;
        remaining.addMetric(labels, b.rebuildingMembers() == 0 ? 0 : Math.max(0, total - done));
      }
      for (StackFigures.Scrub c : s.scrubs()) {
        List<String> labels = List.of(array, tenant, c.pool());
        scrubRunning.addMetric(labels, "RUNNING".equals(c.state()) ? 1 : 0);
        scrubProgress.addMetric(labels, c.rows() <= 0 ? 1 : Math.min(1, (double) c.rowsDone() / c.rows()));
        scrubMismatched.addMetric(labels, c.mismatchedBlocks());
        scrubRepaired.addMetric(labels, c.repairedBlocks());
        scrubUnrepairable.addMetric(labels, c.unrepairableBlocks());
        Double finished = epochSeconds(c.finished());
        if (finished != null) {
          scrubFinished.addMetric(labels, finished);
        }
      }
      for (StackFigures.DriveState d : s.drives()) {
        List<String> labels = List.of(array, tenant, d.drive(), d.pool() == null ? "" : d.pool());
        errors.addMetric(labels, d.errors());
        for (String state : DRIVE_STATES) {
          List<String> withState = new ArrayList<>(labels);
          withState.add(state);
          states.addMetric(withState, state.equals(d.state()) ? 1 : 0);
        }
      }
    }
    List<MetricFamilySamples> out = new ArrayList<>();
    for (MetricFamilySamples f : List.of(reads, writes, readBytes, writtenBytes, queue, sessions, hits,
        misses, dirty, cached, promoted, demoted, rebuilding, progress, remaining, scrubRunning, scrubProgress,
        scrubMismatched, scrubRepaired, scrubUnrepairable, scrubFinished, errors, states)) {
      if (!f.samples.isEmpty()) {
        out.add(f);
      }
    }
    if (!latency.isEmpty()) {
      out.add(new MetricFamilySamples(LATENCY, Type.HISTOGRAM,
          "Time the array's engine took to execute the volume's reads and writes", latency));
    }
    return out;
  }

  /** An engine's ISO-8601 time as Unix seconds; null when absent or unreadable. */
  private static Double epochSeconds(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return java.time.Instant.parse(iso).toEpochMilli() / 1000.0;
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** One volume's latency histogram for {@code op}: its buckets (cumulative, in seconds), sum and count. */
  private static void histogram(List<MetricFamilySamples.Sample> out, List<String> labels, String op,
      LatencyHistogram.Buckets b) {
    if (b == null) {
      return;
    }
    List<String> names = new ArrayList<>(VOLUME);
    names.add("op");
    List<String> values = new ArrayList<>(labels);
    values.add(op);
    List<String> bucketNames = new ArrayList<>(names);
    bucketNames.add("le");
    long[] bounds = LatencyHistogram.BOUNDS_MICROS;
    for (int i = 0; i < b.counts().length; i++) {
      List<String> bucketValues = new ArrayList<>(values);
      bucketValues.add(i < bounds.length ? Collector.doubleToGoString(bounds[i] / 1e6) : "+Inf");
      out.add(new MetricFamilySamples.Sample(LATENCY + "_bucket", bucketNames, bucketValues, b.counts()[i]));
    }
    out.add(new MetricFamilySamples.Sample(LATENCY + "_count", names, values, b.count()));
    out.add(new MetricFamilySamples.Sample(LATENCY + "_sum", names, values, b.sumMicros() / 1e6));
  }
}
