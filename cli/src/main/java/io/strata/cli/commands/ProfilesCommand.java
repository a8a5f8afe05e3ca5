package io.strata.cli.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.config.Profile;
import io.strata.cli.config.Profiles;
import io.strata.cli.output.Format;
import io.strata.cli.output.Printer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata profiles list|use|remove}: the stacks this user signed in to (never showing tokens). */
@Command(name = "profiles", mixinStandardHelpOptions = true, description = "The stacks you signed in to.")
public class ProfilesCommand {
  private final Session session;

  public ProfilesCommand(Session session) {
    this.session = session;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List profiles (* is the current one).")
  int list(@Option(names = {"-o", "--output"}, defaultValue = "table", description = "table, json or yaml") Format format) {
    Profiles profiles = session.profiles(null);
    ArrayNode rows = JsonNodeFactory.instance.arrayNode();
    long now = Instant.now().getEpochSecond();
    for (Map.Entry<String, Profile> e : profiles.content().profiles.entrySet()) {
      Profile p = e.getValue();
      ObjectNode row = rows.addObject();
      row.put("current", e.getKey().equals(profiles.selectedName()) ? "*" : "");
      row.put("name", e.getKey());
      row.put("url", p.url);
      row.put("user", p.user);
      row.put("signedIn", p.signedIn() && (p.refreshToken != null
          && (p.refreshTokenExpiresAt == null || p.refreshTokenExpiresAt > now)
          || p.accessTokenExpiresAt != null && p.accessTokenExpiresAt > now));
    }
    Printer.print(rows, format, List.of("current", "name", "url", "user", "signedIn"), session.env.out);
    return ExitCode.OK.code;
  }

  @Command(name = "use", mixinStandardHelpOptions = true, description = "Make a profile the current one.")
  int use(@Parameters(paramLabel = "NAME") String name) {
    Profiles profiles = session.profiles(name);
    profiles.makeCurrent(name);
    profiles.save();
    session.env.out.println("Current profile: " + name);
    return ExitCode.OK.code;
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Forget a profile and its tokens.")
  int remove(@Parameters(paramLabel = "NAME") String name) {
    Profiles profiles = session.profiles(null);
    profiles.remove(name);
    profiles.save();
    session.env.out.println("Removed profile " + name);
    return ExitCode.OK.code;
  }
}
