package io.strata.controlplane.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Names a request's change the way the services name theirs ({@code volume.rollback},
 * {@code server.credentials}, {@code array.delete}) from its method and path, for the entries
 * the audit filter writes itself: refused and failed requests, which never reached (or rolled
 * back) the service's own entry.
 */
public final class AuditActions {
  private static final Pattern UUID_SEGMENT =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  /** Methods that change something; GET, HEAD and OPTIONS are not audited. */
  public static final Set<String> CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");

  private AuditActions() {}

  /** e.g. {@code PUT /api/v1/servers/<id>/credentials} is {@code server.credentials}. */
  public static String of(String method, String path) {
    List<String> words = new ArrayList<>();
    boolean idSeen = false;
    for (String segment : segments(path)) {
      if (UUID_SEGMENT.matcher(segment).matches()) {
        idSeen = true;
      } else {
        words.add(words.isEmpty() ? singular(segment) : segment);
      }
    }
    if (words.isEmpty()) {
      return method.toLowerCase();
    }
    String kind = String.join(".", words);
    if (words.size() > 1 && !"DELETE".equals(method)) {
      return kind; // an action on an object or a part of it: volume.rollback, server.credentials
    }
    return kind + "." + switch (method) {
      case "POST" -> idSeen ? "update" : "create";
      case "DELETE" -> "delete";
      default -> "update";
    };
  }

  /** The object a request is about: the last id in its path (null when it names none). */
  public static UUID target(String path) {
    UUID found = null;
    for (String segment : segments(path)) {
      if (UUID_SEGMENT.matcher(segment).matches()) {
        found = UUID.fromString(segment);
      }
    }
    return found;
  }

  /** The kind of object: the path's first word in the singular ({@code volume}). */
  public static String targetType(String path) {
    for (String segment : segments(path)) {
      return singular(segment);
    }
    return "api";
  }

  /** The path's segments after {@code /api/v1/} and the operators' {@code admin/}. */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    String[] parts = path.split("/");
    for (String p : parts) {
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    int skip = 0;
    if (out.size() > 1 && out.get(0).equals("api") && out.get(1).startsWith("v")) {
      skip = 2;
    }
    if (out.size() > skip && out.get(skip).equals("admin")) {
      skip++;
    }
    return out.subList(Math.min(skip, out.size()), out.size());
  }

  private static String singular(String word) {
    if (word.equals("capacity")) {
      return word;
    }
    if (word.endsWith("ies")) {
      return word.substring(0, word.length() - 3) + "y";
    }
    return word.endsWith("s") ? word.substring(0, word.length() - 1) : word;
  }
}
