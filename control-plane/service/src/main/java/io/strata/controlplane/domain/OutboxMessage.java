package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A command for one storage node, written in the same transaction as the domain change it
 * follows from. The relay (provisioning, issue 6) publishes unpublished rows to strata.commands
 * keyed by {@link #nodeId} and sets {@link #publishedAt}.
 */
@Entity
@Table(name = "outbox_message")
public class OutboxMessage extends PanacheEntityBase {
  @Id public UUID id;

  @Column(nullable = false)
  public String type;

  @Column(name = "spec_version", nullable = false)
  public int specVersion;

  @Column(nullable = false)
  public String source;

  @Column(nullable = false)
  public String subject;

  @Column(name = "node_id", nullable = false)
  public UUID nodeId;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(nullable = false, columnDefinition = "jsonb")
  public String payload;

  /** When the row was written, by PostgreSQL's clock (one clock for every replica). */
  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /**
   * The generation of the array's desired state this row stands for: the array's next
   * {@code desired_generation}, from PostgreSQL's clock (CommandOutbox). Null on rows written by
   * a release before it, whose generation is their {@link #createdAt} in microseconds.
   */
  @Column(name = "generation")
  public Long generation;

  @Column(name = "published_at")
  public Instant publishedAt;

  /**
   * The W3C traceparent of the request that wrote the row (null outside a trace): the relay's
   * publish span continues that trace (docs/observability.md, "Tracing").
   */
  @Column(name = "traceparent", length = 55)
  public String traceparent;
}
