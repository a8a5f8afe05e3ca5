package io.strata.controlplane.service;

import io.strata.controlplane.domain.Tenant;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.rest.problem.Problem;
import io.strata.kmip.KmipClient;
import io.strata.kmip.KmipEndpoint;
import io.strata.kmip.KmipException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The tenants' key-encryption keys (issue 22, docs/encryption.md): made and activated in the KMS
 * (KMIP Create + Activate) with a tenant's first encrypted volume; only the KEK's id is kept, with
 * the tenant. The engines wrap and unwrap the volumes' data keys with it themselves; the control
 * plane never sees a data key. The KMS is one KMIP server for the whole service
 * ({@code strata.kms.*}); per-tenant external servers are a later step.
 */
@ApplicationScoped
public class TenantKeys {
  @ConfigProperty(name = "strata.kms.host") Optional<String> host;
  @ConfigProperty(name = "strata.kms.port", defaultValue = "5696") int port;
  @ConfigProperty(name = "strata.kms.ca") Optional<String> ca;
  @ConfigProperty(name = "strata.kms.certificate") Optional<String> certificate;
  @ConfigProperty(name = "strata.kms.key") Optional<String> key;

  private KmipClient client;

  /**
   * The id of the tenant's KEK, made now if it has none (the tenant row is locked meanwhile, so
   * two first encrypted volumes at once make one KEK). A KEK made for a request that then fails
   * stays unused in the KMS; the next one reuses nothing of it.
   *
   * @throws ApiException 422 on {@code encrypted} when no KMS is configured, 503 when the KMS
   *     cannot make the key
   */
  public String kekOf(UUID tenantId) {
    Tenant t = Tenant.findById(tenantId, LockModeType.PESSIMISTIC_WRITE);
    if (t.kekId != null) {
      return t.kekId;
    }
    try {
      t.kekId = kms().createKek("strata-tenant-" + t.alias);
    } catch (KmipException e) {
      throw new ApiException(new Problem(503, "kms-unavailable", "Service unavailable",
          "encrypted: the key management server could not make the tenant's key-encryption key ("
              + e.getMessage() + "); try again later"));
    }
    return t.kekId;
  }

  private synchronized KmipClient kms() {
    if (host.isEmpty() || host.get().isBlank() || ca.isEmpty() || certificate.isEmpty() || key.isEmpty()) {
      throw ApiException.invalidField("encrypted", "encryption at rest is not configured in this"
          + " service (no key management server: strata.kms.host, ca, certificate, key)");
    }
    if (client == null) {
      client = KmipClient.connect(KmipEndpoint.of(host.get(), port, Path.of(ca.get()),
          Path.of(certificate.get()), Path.of(key.get())));
    }
    return client;
  }

  @PreDestroy
  synchronized void close() {
    if (client != null) {
      client.close();
    }
  }
}
