package io.strata.cli;

import io.strata.cli.auth.Oidc;
import io.strata.cli.config.ConfigFile;
import io.strata.cli.config.Profiles;
import io.strata.cli.http.ApiClient;
import io.strata.cli.http.Http;
import java.time.Clock;
import java.time.Duration;

/** What every command of one run shares: the process environment, HTTP, the clock, the config file. */
public final class Session {
  public final Environment env;
  public final Http http = new Http();
  public final Clock clock;
  /** How often --wait asks for an operation's state. */
  public final Duration pollInterval;

  public Session(Environment env, Clock clock, Duration pollInterval) {
    this.env = env;
    this.clock = clock;
    this.pollInterval = pollInterval;
  }

  public ConfigFile configFile() {
    return new ConfigFile(env.configDir());
  }

  /** The profiles, with the one chosen by {@code --profile}, {@code STRATA_PROFILE} or the file selected. */
  public Profiles profiles(String explicitProfile) {
    return new Profiles(configFile(), explicitProfile, env.variable("STRATA_PROFILE"));
  }

  public Oidc oidc() {
    return new Oidc(http, clock, env);
  }

  public ApiClient api(Profiles profiles) {
    return new ApiClient(env, http, oidc(), profiles);
  }
}
