package io.strata.cli.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint of the API and the command that calls it: {@code strata <command...>} sends
 * {@code method path} to the service, path variables from positional arguments, query parameters
 * from options, a JSON body from {@code field=value} arguments or a file.
 */
public record Endpoint(
    Service service,
    String method,
    String path,
    List<String> command,
    String description,
    List<String> query,
    Body body,
    /** Sends If-Match: --if-match, or the ETag the CLI reads from GET of the same path just before. */
    boolean ifMatch) {

  public enum Service {
    CONTROL_PLANE,
    BILLING
  }

  public enum Body {
    NONE,
    REQUIRED,
    OPTIONAL
  }

  private static final Pattern VARIABLE = Pattern.compile("\\{([a-zA-Z]+)[^}]*}");

  /** The path's variables in order ({@code {id}}, {@code {driveId}}, ...). */
  public List<String> pathVariables() {
    List<String> names = new ArrayList<>();
    Matcher m = VARIABLE.matcher(path);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The path with every variable replaced by {@code {}}: how endpoints are compared. */
  public String shape() {
    return VARIABLE.matcher(path).replaceAll("{}");
  }

  /** Lists that page with {@code cursor}: the CLI fetches every page unless --cursor or --limit is given. */
  public boolean paged() {
    return method.equals("GET") && query.contains("cursor");
  }

  public boolean mutating() {
    return !method.equals("GET");
  }

  public String commandLine() {
    return String.join(" ", command);
  }

  /** The positional parameter label of a path variable: {@code driveId} → {@code DRIVE_ID}. */
  public static String label(String variable) {
    return variable.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(java.util.Locale.ROOT);
  }

  /** The same endpoint, sending If-Match. */
  public Endpoint withIfMatch() {
    return new Endpoint(service, method, path, command, description, query, body, true);
  }
}
