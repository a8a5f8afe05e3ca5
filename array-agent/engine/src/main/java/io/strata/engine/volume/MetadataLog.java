package io.strata.engine.volume;

import java.io.IOException;

/**
 * Where a pool's volume metadata is kept durable: a checkpoint and a write-ahead journal of the
 * {@link MetadataRecord}s since. Two kinds: files in the engine node's metadata directory
 * ({@link Journal}, pools made before the metadata moved onto the pool) and a reserved area at the
 * end of the pool device itself ({@link PoolMetadataArea}).
 */
interface MetadataLog extends AutoCloseable {

  /**
   * Appends a record with the next sequence number; the caller holds the store's metadata lock,
   * so records are appended in the order they are applied. Not yet durable: see {@link #sync}.
   */
  long append(MetadataRecord record) throws IOException;

  /** Makes every record up to {@code seq} durable (group commit: one flush serves many). */
  void sync(long seq) throws IOException;

  long durableSeq();

  /** Whether {@code record} still fits the journal; when not, checkpoint first. */
  boolean fits(MetadataRecord record);

  /** Whether the journal has grown enough that a checkpoint is due. */
  boolean checkpointDue();

  /** The most bytes a checkpoint may take (unbounded for files). */
  long checkpointCapacity();

  /** Checkpoints {@code state} (which holds every appended record) and empties the journal. */
  void checkpoint(MetadataState state) throws IOException;

  /** Lets go without syncing anything, as a killed process would (tests). */
  void abandon() throws IOException;

  @Override
  void close() throws IOException;

  /** Where the metadata is, for messages. */
  String where();
}
