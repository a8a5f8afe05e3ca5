package io.strata.engine.stats;

/**
 * One LUN's figures in the stats file (counted since the engine started), as the engine writes
 * them and the agent reads them.
 *
 * @param volume the volume the layout shows at this LUN, or null for a LUN it does not name
 * @param queueDepth commands of the LUN being executed when the file was written
 * @param readLatency cumulative counts at {@link LatencyHistogram#BOUNDS_MICROS} (the last one
 *     counts every read) and the latencies' sum
 */
public record VolumeFigures(String volume, int lun, long readOps, long writeOps, long readBytes,
    long writeBytes, long queueDepth, LatencyHistogram.Buckets readLatency,
    LatencyHistogram.Buckets writeLatency) {}
