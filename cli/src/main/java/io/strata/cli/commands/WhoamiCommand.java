package io.strata.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.config.Profile;
import io.strata.cli.config.Profiles;
import io.strata.cli.http.Http;
import io.strata.cli.output.Format;
import io.strata.cli.output.Printer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strata whoami}: who the profile is signed in as, from the access token's claims (user,
 * tenant, roles; refreshed first, so an ended session says so).
 */
@Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show who you are signed in as: user, tenant, roles, stack.")
public class WhoamiCommand implements Callable<Integer> {
  @Option(names = "--profile", paramLabel = "NAME", description = "the profile (default: STRATA_PROFILE, else the current one)")
  String profileName;

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml")
  Format format;

  private final Session session;

  public WhoamiCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    Profiles profiles = session.profiles(profileName);
    Profile p = profiles.selected();
    JsonNode claims = claims(session.api(profiles).accessToken());
    ObjectNode view = JsonNodeFactory.instance.objectNode();
    view.put("profile", profiles.selectedName());
    view.put("url", p.url);
    view.put("user", claims.path("preferred_username").asText(null));
    view.put("tenant", claims.path("tenant").asText(null));
    JsonNode roles = claims.path("realm_access").path("roles");
    view.set("roles", roles.isArray() ? roles : JsonNodeFactory.instance.arrayNode());
    view.put("issuer", claims.path("iss").asText(null));
    Printer.print(view, format, List.of(), session.env.out);
    return ExitCode.OK.code;
  }

  /** The claims of a JWT, read without verifying it: only for showing them (the API verifies). */
  static JsonNode claims(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      throw new CliException(ExitCode.AUTH, "the stored access token is not a JWT: strata login again");
    }
    try {
      return Http.JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (IOException | IllegalArgumentException e) {
      throw new CliException(ExitCode.AUTH, "the stored access token cannot be read: strata login again");
    }
  }
}
