package io.strata.controlplane.audit;

import io.strata.controlplane.domain.AuditEntry;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.problem.ApiException;
import io.strata.controlplane.service.NewestFirst;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Lists the audit log newest first, filtered; a tenant sees only the entries of its objects. */
@ApplicationScoped
public class AuditQueries {
  static final Set<String> MARKS =
      Set.of(AuditEntry.MARK_FORCED, AuditEntry.MARK_CREDENTIALS, AuditEntry.MARK_OPERATOR,
          AuditEntry.MARK_REPLAYED);
  static final Set<String> RESULTS =
      Set.of(AuditEntry.RESULT_SUCCEEDED, AuditEntry.RESULT_REFUSED, AuditEntry.RESULT_FAILED);

  /**
   * The filters of both listings.
   *
   * @param object the object's id
   * @param actor the user, exactly
   * @param action an action ({@code volume.rollback}) or a prefix of actions ending in a dot
   *     ({@code volume.})
   * @param from entries at or after
   * @param to entries before
   * @param result SUCCEEDED, REFUSED or FAILED
   * @param mark entries carrying this mark
   */
  public record Filter(UUID object, String actor, String action, Instant from, Instant to, String result, String mark) {
    public Filter {
      if (from != null && to != null && !to.isAfter(from)) {
        throw ApiException.badRequest("to", "must be after from");
      }
      if (result != null && !RESULTS.contains(result)) {
        throw ApiException.badRequest("result", "must be one of " + RESULTS);
      }
      if (mark != null && !MARKS.contains(mark)) {
        throw ApiException.badRequest("mark", "must be one of " + MARKS);
      }
    }
  }

  /** {@code tenant} null: every tenant's and the operators' own entries (operators only). */
  @Transactional
  public Page<AuditView> page(UUID tenant, Filter f, String cursor, Integer limit) {
    NewestFirst q = NewestFirst.all()
        .and("tenantId = :tenant", "tenant", tenant)
        .and("targetId = :object", "object", f.object())
        .and("actor = :actor", "actor", f.actor())
        .and("at >= :from", "from", f.from())
        .and("at < :to", "to", f.to())
        .and("result = :result", "result", f.result())
        .and("concat(',', marks, ',') like :mark", "mark", f.mark() == null ? null : "%," + f.mark() + ",%");
    if (f.action() != null) {
      if (f.action().endsWith(".")) {
        q.and("action like :action", "action", f.action().replace("%", "").replace("_", "\\_") + "%");
      } else {
        q.and("action = :action", "action", f.action());
      }
    }
    return q.page(AuditEntry.class, cursor, limit, AuditView::of, e -> e.id);
  }
}
