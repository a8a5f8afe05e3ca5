package io.strata.controlplane.service;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.quarkus.panache.common.Parameters;
import io.strata.controlplane.rest.Page;
import io.strata.controlplane.rest.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Keyset (cursor) pagination ordered by id: a page is "id greater than the cursor, the first
 * {@code limit}", which stays fast and stable however deep the client pages, and needs only the
 * (tenant_id, id) index. The cursor is opaque to clients (base64url of the last id).
 */
public final class Listing {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 500;

  private final StringBuilder where = new StringBuilder();
  private final Parameters params = new Parameters();

  public static Listing where(String condition, String name, Object value) {
    Listing l = new Listing();
    l.where.append(condition);
    l.params.and(name, value);
    return l;
  }

  public static Listing all() {
    Listing l = new Listing();
    l.where.append("1 = 1");
    return l;
  }

  /** Adds {@code condition} when {@code value} is not null. */
  public Listing and(String condition, String name, Object value) {
    if (value != null) {
      where.append(" and ").append(condition);
      params.and(name, value);
    }
    return this;
  }

  public Listing andAlways(String condition) {
    where.append(" and ").append(condition);
    return this;
  }

  public <E extends PanacheEntityBase, V> Page<V> page(
      Class<E> entity, String cursor, Integer limit, Function<E, V> view, Function<E, UUID> idOf) {
    int n = limit(limit);
    UUID after = decode(cursor);
    if (after != null) {
      and("id > :after", "after", after);
    }
    List<E> rows =
        io.quarkus.hibernate.orm.panache.Panache.getEntityManager()
            .createQuery("from " + entity.getSimpleName() + " where " + where + " order by id", entity)
            .setMaxResults(n + 1)
            // read to be shown, never changed: no dirty-checking snapshot per row
            .setHint(org.hibernate.jpa.HibernateHints.HINT_READ_ONLY, true)
            .unwrap(org.hibernate.query.Query.class)
            .setProperties(params.map())
            .getResultList();
    boolean more = rows.size() > n;
    List<V> items = new ArrayList<>(Math.min(rows.size(), n));
    for (int i = 0; i < Math.min(rows.size(), n); i++) {
      items.add(view.apply(rows.get(i)));
    }
    String next = more ? encode(idOf.apply(rows.get(n - 1))) : null;
    return new Page<>(items, next);
  }

  /** The page size asked, or the default; 400 naming the field outside 1..MAX_LIMIT. */
  static int limit(Integer limit) {
    int n = limit == null ? DEFAULT_LIMIT : limit;
    if (n < 1 || n > MAX_LIMIT) {
      throw ApiException.badRequest("limit", "must be between 1 and " + MAX_LIMIT);
    }
    return n;
  }

  static String encode(UUID id) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id.toString().getBytes(StandardCharsets.UTF_8));
  }

  static UUID decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      return UUID.fromString(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("cursor", "not a cursor returned by this API");
    }
  }
}
