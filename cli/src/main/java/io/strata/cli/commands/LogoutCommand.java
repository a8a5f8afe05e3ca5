package io.strata.cli.commands;

import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.config.Profile;
import io.strata.cli.config.Profiles;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code strata logout}: ends the Keycloak session (best effort) and forgets the profile's tokens. */
@Command(name = "logout", mixinStandardHelpOptions = true, description = "Sign out: end the session and forget the tokens of a profile.")
public class LogoutCommand implements Callable<Integer> {
  @Option(names = "--profile", paramLabel = "NAME", description = "the profile (default: STRATA_PROFILE, else the current one)")
  String profileName;

  private final Session session;

  public LogoutCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    Profiles profiles = session.profiles(profileName);
    Profile p = profiles.selected();
    if (p.refreshToken != null && p.issuer != null) {
      session.oidc().endSession(p);
    }
    p.signOut();
    profiles.save();
    session.env.out.println("Signed out (profile '" + profiles.selectedName() + "')");
    return ExitCode.OK.code;
  }
}
