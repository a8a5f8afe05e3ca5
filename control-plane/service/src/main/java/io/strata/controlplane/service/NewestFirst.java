package io.strata.controlplane.service;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keyset paging newest first, for append-mostly logs whose id is a growing number (audit entries,
 * alerts, webhook deliveries): a page is "id below the cursor, the first {@code limit} by id
 * descending", as fast on the thousandth page as on the first. The cursor is opaque to clients.
 */
public final class NewestFirst {
  private final StringBuilder where = new StringBuilder("1 = 1");
  private final Map<String, Object> params = new HashMap<>();

  public static NewestFirst all() {
    return new NewestFirst();
  }

  /** Adds {@code condition} (naming {@code :name}) when {@code value} is not null. */
  public NewestFirst and(String condition, String name, Object value) {
    if (value != null) {
      where.append(" and ").append(condition);
      params.put(name, value);
    }
    return this;
  }

  public <E extends PanacheEntityBase, V> Page<V> page(
      Class<E> entity, String cursor, Integer limit, Function<E, V> view, Function<E, Long> idOf) {
    int n = Listing.limit(limit);
    Long before = decode(cursor);
    and("id < :before", "before", before);
    var query = Panache.getEntityManager()
        .createQuery("from " + entity.getSimpleName() + " where " + where + " order by id desc", entity)
        .setMaxResults(n + 1)
        .setHint(org.hibernate.jpa.HibernateHints.HINT_READ_ONLY, true);
    params.forEach(query::setParameter);
    List<E> rows = query.getResultList();
    List<V> items = new ArrayList<>(Math.min(rows.size(), n));
    for (int i = 0; i < Math.min(rows.size(), n); i++) {
      items.add(view.apply(rows.get(i)));
    }
    String next = rows.size() > n ? encode(idOf.apply(rows.get(n - 1))) : null;
    return new Page<>(items, next);
  }

  static String encode(long id) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("n" + id).getBytes(StandardCharsets.UTF_8));
  }

  static Long decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (!text.startsWith("n")) {
        throw new IllegalArgumentException(text);
      }
      return Long.parseLong(text.substring(1));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("cursor", "not a cursor returned by this API");
    }
  }
}
