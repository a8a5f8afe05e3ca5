package io.strata.controlplane.alerts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * How full each pool is: the space its engine reported written at the end of the pool's newest
 * performance sample (ArrayPerformance's POOL series, kept in {@code performance_sample}) against
 * the pool's capacity. Per pool, unlike the usage samples' fill, which adds up an array's pools of
 * one tier: one full pool beside an empty one of the same tier would stay below any threshold
 * there. One index probe per pool (the newest sample by the table's primary key).
 */
@ApplicationScoped
public class PoolFills {
  @Inject EntityManager em;

  /** One pool's fill, with what an alert about it names. */
  public record Fill(UUID poolId, String poolName, UUID arrayId, String arrayName, UUID tenantId, UUID nodeId,
      long usedBytes, long capacityBytes) {
    public double ratio() {
      return (double) usedBytes / capacityBytes;
    }
  }

  /** The pools of live arrays (not being deleted) that have a sample. */
  public List<Fill> current() {
    @SuppressWarnings("unchecked")
    List<Object[]> rows = em.createNativeQuery("""
        select p.id, p.name, a.id as array_id, a.name as array_name, a.tenant_id, a.node_id, s.used,
               p.capacity_gib * 1073741824 as capacity
          from pool p join storage_array a on a.id = p.array_id
          cross join lateral (
            select coalesce(x.ssd_used_bytes, 0) + coalesce(x.hdd_used_bytes, 0) as used
              from performance_sample x
             where x.object_id = p.id and x.object_kind = 1
             order by x.sampled_at desc limit 1) s
         where a.state not in ('DELETING', 'DELETED')""").getResultList();
    List<Fill> out = new ArrayList<>();
    for (Object[] r : rows) {
      out.add(new Fill((UUID) r[0], (String) r[1], (UUID) r[2], (String) r[3], (UUID) r[4], (UUID) r[5],
          ((Number) r[6]).longValue(), ((Number) r[7]).longValue()));
    }
    return out;
  }
}
