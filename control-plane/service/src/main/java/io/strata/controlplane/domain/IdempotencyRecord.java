package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** The first answer to a create sent with an Idempotency-Key, replayed to retries. */
@Entity
@Table(name = "idempotency_record")
public class IdempotencyRecord extends PanacheEntityBase {
  @EmbeddedId public Key key;

  @Column(name = "request_hash", nullable = false)
  public String requestHash;

  @Column(nullable = false)
  public int status;

  public String location;

  @Column(nullable = false)
  public String body;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Embeddable
  public static class Key implements Serializable {
    @Column(nullable = false)
    public String scope;

    @Column(name = "idem_key", nullable = false)
    public String idemKey;

    public Key() {}

    public Key(String scope, String idemKey) {
      this.scope = scope;
      this.idemKey = idemKey;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.scope.equals(scope) && k.idemKey.equals(idemKey);
    }

    @Override
    public int hashCode() {
      return Objects.hash(scope, idemKey);
    }
  }
}
