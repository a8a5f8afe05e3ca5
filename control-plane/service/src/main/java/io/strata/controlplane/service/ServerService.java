package io.strata.controlplane.service;

import io.strata.controlplane.domain.Attachment;
import io.strata.controlplane.domain.Server;
import io.strata.controlplane.domain.StorageArray;
import io.strata.controlplane.mapping.Views;
import io.strata.controlplane.outbox.CommandOutbox;
import io.strata.controlplane.rest.ETags;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.ServerDtos.ServerCreate;
import io.strata.controlplane.rest.dto.ServerDtos.ServerCredentials;
import io.strata.controlplane.rest.dto.ServerDtos.ServerView;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Servers (initiators) and their CHAP credentials, sealed at rest. */
@ApplicationScoped
@Transactional
public class ServerService {
  @Inject SecretBox secrets;
  @Inject CommandOutbox outbox;
  @Inject AuditLog audit;

  public Server create(UUID tenantId, ServerCreate req) {
    if (Counts.of(Server.class, "tenantId = ?1 and iqn = ?2", tenantId, req.iqn()) > 0) {
      throw ApiException.conflict("already-exists", "iqn: a server with IQN " + req.iqn() + " exists");
    }
    if (Counts.of(Server.class, "tenantId = ?1 and name = ?2", tenantId, req.name()) > 0) {
      throw ApiException.conflict("already-exists", "name: a server named '" + req.name() + "' exists");
    }
    Server s = new Server();
    s.id = UUID.randomUUID();
    s.tenantId = tenantId;
    s.name = req.name();
    s.iqn = req.iqn();
    setCredentials(s, req.chapUser(), req.chapSecret(), req.mutualChapUser(), req.mutualChapSecret());
    s.createdAt = Instant.now();
    s.persist();
    audit.record(tenantId, "server.create", "server", s.id);
    return s;
  }

  private void setCredentials(Server s, String user, String secret, String mutualUser, String mutualSecret) {
    if ((user == null) != (secret == null)) {
      throw ApiException.invalidField(user == null ? "chapUser" : "chapSecret", "CHAP needs both a user and a secret");
    }
    if ((mutualUser == null) != (mutualSecret == null)) {
      throw ApiException.invalidField(mutualUser == null ? "mutualChapUser" : "mutualChapSecret",
          "mutual CHAP needs both a user and a secret");
    }
    if (mutualUser != null && user == null) {
      throw ApiException.invalidField("mutualChapUser", "mutual CHAP needs CHAP as well");
    }
    if (secret != null && secret.equals(mutualSecret)) {
      // RFC 7143 section 12.1.3: the two directions must not share a secret
      throw ApiException.invalidField("mutualChapSecret", "must differ from chapSecret");
    }
    s.chapUser = user;
    s.chapSecretSealed = secret == null ? null : secrets.seal(secret);
    s.mutualChapUser = mutualUser;
    s.mutualChapSecretSealed = mutualSecret == null ? null : secrets.seal(mutualSecret);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<ServerView> list(UUID tenantId, String iqn, String cursor, Integer limit) {
    return Listing.where("tenantId = :tenant", "tenant", tenantId)
        .and("iqn = :iqn", "iqn", iqn)
        .page(Server.class, cursor, limit, Views::server, s -> s.id);
  }

  @Transactional(Transactional.TxType.SUPPORTS)
  public Server get(UUID tenantId, UUID id) {
    return Owned.find(Server.class, "server", tenantId, id);
  }

  /** Replaces the CHAP credentials (If-Match required) and reconfigures the arrays that export to it. */
  public Server updateCredentials(UUID tenantId, UUID id, String ifMatch, ServerCredentials req) {
    Server s = Owned.lock(Server.class, "server", tenantId, id);
    ETags.check(ifMatch, s.version);
    setCredentials(s, req.chapUser(), req.chapSecret(), req.mutualChapUser(), req.mutualChapSecret());
    io.quarkus.hibernate.orm.panache.Panache.getEntityManager().flush();
    List<UUID> arrays =
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            .createQuery("select distinct a.arrayId from Attachment a where a.serverId = :s and " + Attachment.holdingLun("a"),
                UUID.class)
            .setParameter("s", id)
            .getResultList();
    arrays.forEach(a -> outbox.arrayChanged(StorageArray.findById(a)));
    audit.record(tenantId, "server.credentials", "server", id);
    return s;
  }

  public void delete(UUID tenantId, UUID id) {
    Server s = Owned.lock(Server.class, "server", tenantId, id);
    long active = Counts.of(Attachment.class, "from Attachment a where a.serverId = ?1 and " + Attachment.holdingLun("a"), id);
    if (active > 0) {
      throw ApiException.conflict("server-has-attachments", "the server has " + active + " attachment(s); detach them first");
    }
    Attachment.delete("serverId", id);
    s.delete();
    audit.record(tenantId, "server.delete", "server", id);
  }


  public ServerView view(Server s) {
    return Views.server(s);
  }
}
