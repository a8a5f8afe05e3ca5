package io.strata.cli.commands;

import io.strata.cli.CliException;
import io.strata.cli.ExitCode;
import io.strata.cli.Session;
import io.strata.cli.auth.Oidc;
import io.strata.cli.config.Profile;
import io.strata.cli.config.Profiles;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strata login}: signs in to a stack and keeps the tokens in the profile. Keycloak is the
 * one the control plane names (its /.well-known/oauth-protected-resource); a password comes from
 * STRATA_PASSWORD, else a prompt (standard input when it is not a terminal); without --user the
 * device authorization grant is used (open a URL, confirm a code).
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = {"Sign in to a Strata stack and remember it as a profile.",
        "Password from STRATA_PASSWORD or a prompt; without --user (or with --device): sign in in a browser with a code."})
public class LoginCommand implements Callable<Integer> {
  @Option(names = "--url", paramLabel = "URL", description = "the control plane, e.g. http://127.0.0.1:8081 (default: the profile's)")
  String url;

  @Option(names = {"-u", "--user"}, paramLabel = "NAME", description = "user name (password grant)")
  String user;

  @Option(names = "--device", description = "use the device authorization grant even with --user")
  boolean device;

  @Option(names = "--issuer", paramLabel = "URL", description = "Keycloak realm URL (default: the one the control plane names)")
  String issuer;

  @Option(names = "--billing-url", paramLabel = "URL", description = "the billing service (default: the one the control plane names)")
  String billingUrl;

  @Option(names = "--client-id", paramLabel = "ID", defaultValue = Oidc.CLIENT_ID, description = "OIDC client (default: ${DEFAULT-VALUE})")
  String clientId;

  @Option(names = "--profile", paramLabel = "NAME", description = "profile to sign in (default: STRATA_PROFILE, else the current one, else 'default')")
  String profileName;

  private final Session session;

  public LoginCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    Profiles profiles = session.profiles(profileName);
    Profile p = profiles.selected();
    if (url != null) {
      if (!url.equals(p.url)) {
        p.signOut(); // another stack: its tokens mean nothing here
        p.issuer = null;
        p.billingUrl = null;
      }
      p.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
    if (p.url == null) {
      throw new CliException(ExitCode.USAGE, "--url is needed: profile '" + profiles.selectedName() + "' names no stack yet");
    }
    Oidc oidc = session.oidc();
    if (issuer != null) {
      p.issuer = issuer;
    }
    if (p.issuer == null || billingUrl == null && p.billingUrl == null) {
      Oidc.ResourceMetadata metadata = oidc.discover(p.url);
      if (p.issuer == null) {
        p.issuer = metadata.issuer();
      }
      if (p.billingUrl == null) {
        p.billingUrl = metadata.billingUrl();
      }
    }
    if (billingUrl != null) {
      p.billingUrl = billingUrl;
    }
    p.clientId = clientId;
    if (user != null) {
      p.user = user;
    }
    if (p.user != null && !device) {
      oidc.passwordGrant(p, password(p.user));
    } else {
      oidc.deviceGrant(p);
      p.user = null;
    }
    profiles.content().current = profiles.selectedName();
    profiles.save();
    session.env.out.println("Signed in to " + p.url + (p.user != null ? " as " + p.user : "")
        + " (profile '" + profiles.selectedName() + "')");
    return ExitCode.OK.code;
  }

  private String password(String name) {
    String fromEnvironment = session.env.variable("STRATA_PASSWORD");
    if (fromEnvironment != null) {
      return fromEnvironment;
    }
    String typed = session.env.readSecret("Password for " + name + ": ");
    if (typed == null || typed.isEmpty()) {
      throw new CliException(ExitCode.USAGE, "no password: type it at the prompt or set STRATA_PASSWORD");
    }
    return typed;
  }
}
