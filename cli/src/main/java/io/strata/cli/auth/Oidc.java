package io.strata.cli.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.cli.CliException;
import io.strata.cli.Environment;
import io.strata.cli.ExitCode;
import io.strata.cli.config.Profile;
import io.strata.cli.http.Http;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sign-in with the stack's Keycloak through the public client {@code strata-cli}: where Keycloak
 * is comes from the control plane's OAuth protected resource metadata (RFC 9728,
 * {@code /.well-known/oauth-protected-resource}); its endpoints from the issuer's OpenID
 * discovery document. Password grant (direct access grants), device authorization grant
 * (RFC 8628) and refresh.
 */
public final class Oidc {
  public static final String CLIENT_ID = "strata-cli";
  /** A token this close to its expiry is refreshed before use. */
  static final Duration EXPIRY_SKEW = Duration.ofSeconds(30);

  private final Http http;
  private final Clock clock;
  private final Environment env;

  public Oidc(Http http, Clock clock, Environment env) {
    this.http = http;
    this.clock = clock;
    this.env = env;
  }

  /** What the control plane says about itself: its Keycloak issuer and its billing service. */
  public record ResourceMetadata(String issuer, String billingUrl) {}

  public ResourceMetadata discover(String controlPlaneUrl) {
    URI uri = URI.create(stripSlash(controlPlaneUrl) + "/.well-known/oauth-protected-resource");
    Http.Reply r = http.get(uri);
    if (!r.ok()) {
      throw new CliException(r.status() >= 500 ? ExitCode.SERVER_OR_NETWORK : ExitCode.USAGE,
          uri + " answered " + r.status() + ": is " + controlPlaneUrl + " a Strata control plane? (--issuer names Keycloak's realm URL directly)");
    }
    JsonNode doc = r.json();
    String issuer = doc.path("authorization_servers").path(0).asText(null);
    if (issuer == null) {
      throw new CliException(ExitCode.USAGE, uri + " names no authorization server; pass --issuer");
    }
    return new ResourceMetadata(issuer, doc.path("strata_billing_url").asText(null));
  }

  /** The issuer's token and device authorization endpoints. */
  record Endpoints(URI token, URI device) {}

  Endpoints endpoints(String issuer) {
    URI uri = URI.create(stripSlash(issuer) + "/.well-known/openid-configuration");
    Http.Reply r = http.get(uri);
    if (!r.ok()) {
      throw new CliException(r.status() >= 500 ? ExitCode.SERVER_OR_NETWORK : ExitCode.USAGE,
          "the OpenID discovery document " + uri + " answered " + r.status());
    }
    JsonNode doc = r.json();
    String device = doc.path("device_authorization_endpoint").asText(null);
    return new Endpoints(URI.create(doc.path("token_endpoint").asText()), device == null ? null : URI.create(device));
  }

  /** Resource owner password grant: the user's name and password go to Keycloak, never elsewhere. */
  public void passwordGrant(Profile profile, String password) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "password");
    form.put("client_id", profile.clientId);
    form.put("username", profile.user);
    form.put("password", password);
    form.put("scope", "openid");
    tokenRequest(profile, form);
  }

  /**
   * Device authorization grant: prints where to go and the code to enter, then polls the token
   * endpoint at the interval Keycloak asks for until the user approved, refused or the code expired.
   */
  public void deviceGrant(Profile profile) {
    Endpoints endpoints = endpoints(profile.issuer);
    if (endpoints.device() == null) {
      throw new CliException(ExitCode.AUTH, profile.issuer + " offers no device authorization grant; use --user");
    }
    Http.Reply start = http.postForm(endpoints.device(), Map.of("client_id", profile.clientId, "scope", "openid"));
    if (!start.ok()) {
      throw new CliException(ExitCode.AUTH, "device sign-in refused: " + describe(start));
    }
    JsonNode d = start.json();
    String verification = d.path("verification_uri_complete").asText(d.path("verification_uri").asText());
    env.err.printf("To sign in, open %s%n and confirm the code %s%n", verification, d.path("user_code").asText());
    env.err.flush();
    Duration interval = Duration.ofSeconds(Math.max(1, d.path("interval").asLong(5)));
    Instant deadline = clock.instant().plusSeconds(d.path("expires_in").asLong(600));
    Map<String, String> form = Map.of(
        "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
        "client_id", profile.clientId,
        "device_code", d.path("device_code").asText());
    while (clock.instant().isBefore(deadline)) {
      env.sleep(interval);
      Http.Reply r = http.postForm(endpoints.token(), form);
      if (r.ok()) {
        Tokens.store(r.json(), profile, clock.instant());
        return;
      }
      String error = r.json().path("error").asText("");
      switch (error) {
        case "authorization_pending" -> { }
        case "slow_down" -> interval = interval.plusSeconds(5);
        default -> throw new CliException(ExitCode.AUTH, "device sign-in ended: " + describe(r));
      }
    }
    throw new CliException(ExitCode.AUTH, "device sign-in: the code expired before it was confirmed");
  }

  /**
   * Makes sure the profile's access token is good for a while: refreshes it when it is about to
   * expire (or {@code force}), with the refresh token. Returns false when there is no way to get
   * a fresh one (no refresh token, or Keycloak refused it: the session ended).
   */
  public boolean ensureFresh(Profile profile, boolean force) {
    Instant now = clock.instant();
    boolean expiring = profile.accessTokenExpiresAt == null
        || now.plus(EXPIRY_SKEW).getEpochSecond() >= profile.accessTokenExpiresAt;
    if (!force && profile.accessToken != null && !expiring) {
      return true;
    }
    if (profile.refreshToken == null
        || (profile.refreshTokenExpiresAt != null && now.getEpochSecond() >= profile.refreshTokenExpiresAt)) {
      return false;
    }
    Http.Reply r = http.postForm(endpoints(profile.issuer).token(), Map.of(
        "grant_type", "refresh_token", "client_id", profile.clientId, "refresh_token", profile.refreshToken));
    if (!r.ok()) {
      if (r.status() >= 500) {
        throw new CliException(ExitCode.SERVER_OR_NETWORK, "refreshing the token: " + describe(r));
      }
      return false;
    }
    Tokens.store(r.json(), profile, clock.instant());
    return true;
  }

  /**
   * Ends the Keycloak session of the profile's refresh token (RFC 7009 revocation, which Keycloak
   * offers for public clients). Best effort: the tokens are forgotten locally in any case.
   */
  public void endSession(Profile profile) {
    try {
      URI uri = URI.create(stripSlash(profile.issuer) + "/.well-known/openid-configuration");
      String revocation = http.get(uri).json().path("revocation_endpoint").asText(null);
      if (revocation != null) {
        http.postForm(URI.create(revocation), Map.of("client_id", profile.clientId == null ? CLIENT_ID : profile.clientId,
            "token", profile.refreshToken, "token_type_hint", "refresh_token"));
      }
    } catch (CliException e) {
      env.err.println("strata: could not end the session at Keycloak (" + e.getMessage() + "); forgetting the tokens anyway");
    }
  }

  private void tokenRequest(Profile profile, Map<String, String> form) {
    Http.Reply r = http.postForm(endpoints(profile.issuer).token(), form);
    if (!r.ok()) {
      throw new CliException(r.status() >= 500 ? ExitCode.SERVER_OR_NETWORK : ExitCode.AUTH,
          "sign-in refused: " + describe(r));
    }
    Tokens.store(r.json(), profile, clock.instant());
  }

  private static String describe(Http.Reply r) {
    JsonNode j = r.json();
    String error = j.path("error").asText(null);
    String description = j.path("error_description").asText(null);
    if (error == null) {
      return "HTTP " + r.status();
    }
    return description == null ? error : error + " (" + description + ")";
  }

  static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
