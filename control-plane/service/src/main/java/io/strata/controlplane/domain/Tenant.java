package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** A customer of the service; its alias is the `tenant` claim of its users' tokens. */
@Entity
public class Tenant extends PanacheEntityBase {
  @Id public UUID id;

  @Column(nullable = false, unique = true)
  public String alias;

  @Column(name = "display_name", nullable = false)
  public String displayName;

  @Enumerated(EnumType.STRING)
  @Column(nullable = false)
  public TenantState state;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  /**
   * The unique identifier of the tenant's key-encryption key in the KMS (docs/encryption.md),
   * made with its first encrypted volume; null until then. Never key material.
   */
  @Column(name = "kek_id")
  public String kekId;

  @Version public long version;

  public static Optional<Tenant> byAlias(String alias) {
    return find("alias", alias).firstResultOptional();
  }
}
