package io.strata.controlplane.service;

import io.strata.controlplane.domain.ArrayState;
import io.strata.controlplane.domain.EngineSize;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.dto.OperatorDtos.FleetArrayView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The operator's view of every tenant's arrays: with the tenant's alias, the node, the drives by
 * type, their raw capacity and the count of volumes. One SQL statement per page, whatever its
 * size: the drive and volume figures are aggregated per array in lateral subqueries, so a page of
 * 500 arrays does not cost 500 more queries. Keyset pagination by array id, like every list.
 */
@ApplicationScoped
public class ArrayFleet {
  @Inject EntityManager entities;

  @Transactional(Transactional.TxType.SUPPORTS)
  public Page<FleetArrayView> page(
      UUID tenantId, String tenantAlias, ArrayState state, UUID nodeId, String cursor, Integer limit) {
    int n = Listing.limit(limit);
    UUID after = Listing.decode(cursor);
    StringBuilder where = new StringBuilder("where true");
    Map<String, Object> params = new LinkedHashMap<>();
    condition(where, params, "a.tenant_id = :tenant", "tenant", tenantId);
    condition(where, params, "t.alias = :alias", "alias", tenantAlias);
    condition(where, params, "a.state = :state", "state", state == null ? null : state.name());
    condition(where, params, "a.node_id = :node", "node", nodeId);
    condition(where, params, "a.id > :after", "after", after);
    if (state == null) {
      where.append(" and a.state <> 'DELETED'");
    }
    var query = entities.createNativeQuery(
        "select a.id, a.name, a.tenant_id, t.alias, a.node_id, n.name as node_name, a.state, a.engine_size, "
            + "a.failure_reason, a.created_at, d.ssd, d.hdd, d.capacity_gib, v.volumes "
            + "from storage_array a join tenant t on t.id = a.tenant_id left join node n on n.id = a.node_id "
            + "cross join lateral (select count(*) filter (where dr.type = 'SSD') as ssd, "
            + "  count(*) filter (where dr.type = 'HDD') as hdd, coalesce(sum(dr.capacity_gib), 0) as capacity_gib "
            + "  from array_drive ad join drive dr on dr.id = ad.drive_id where ad.array_id = a.id) d "
            + "cross join lateral (select count(*) as volumes from volume vo "
            + "  where vo.array_id = a.id and vo.state <> 'DELETED') v "
            + where + " order by a.id limit " + (n + 1));
    params.forEach(query::setParameter);
    @SuppressWarnings("unchecked")
    List<Object[]> rows = query.getResultList();
    boolean more = rows.size() > n;
    List<FleetArrayView> items = new ArrayList<>(Math.min(rows.size(), n));
    for (int i = 0; i < Math.min(rows.size(), n); i++) {
      items.add(view(rows.get(i)));
    }
    return new Page<>(items, more ? Listing.encode(items.get(n - 1).id()) : null);
  }

  private static void condition(StringBuilder where, Map<String, Object> params, String sql, String name, Object value) {
    if (value != null) {
      where.append(" and ").append(sql);
      params.put(name, value);
    }
  }

  private static FleetArrayView view(Object[] r) {
    return new FleetArrayView(
        (UUID) r[0], (String) r[1], (UUID) r[2], (String) r[3], (UUID) r[4], (String) r[5],
        ArrayState.valueOf((String) r[6]), EngineSize.valueOf((String) r[7]), (String) r[8], instant(r[9]),
        ((Number) r[10]).intValue(), ((Number) r[11]).intValue(), ((Number) r[12]).longValue(),
        ((Number) r[13]).longValue());
  }

  private static Instant instant(Object value) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    return ((Timestamp) value).toInstant();
  }
}
