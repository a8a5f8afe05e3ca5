package io.strata.controlplane.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** An initiator (a cloud server) with its CHAP credentials, sealed with AES-GCM at rest. */
@Entity
public class Server extends PanacheEntityBase implements TenantOwned {
  @Id public UUID id;

  @Column(name = "tenant_id", nullable = false)
  public UUID tenantId;

  @Override
  public UUID ownerTenantId() {
    return tenantId;
  }

  @Column(nullable = false)
  public String name;

  @Column(nullable = false)
  public String iqn;

  @Column(name = "chap_user")
  public String chapUser;

  @Column(name = "chap_secret_sealed")
  public String chapSecretSealed;

  @Column(name = "mutual_chap_user")
  public String mutualChapUser;

  @Column(name = "mutual_chap_secret_sealed")
  public String mutualChapSecretSealed;

  @Column(name = "created_at", nullable = false)
  public Instant createdAt;

  @Version public long version;
}
