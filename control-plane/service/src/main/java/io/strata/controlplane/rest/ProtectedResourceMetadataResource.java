package io.strata.controlplane.rest;

import io.strata.controlplane.config.StrataConfig;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): which authorization server (the Keycloak realm)
 * issues the tokens this API accepts, so that a client given only the control plane's address (the
 * {@code strata} CLI's {@code login --url}) finds where to sign in; and, as a Strata extension,
 * where billing answers. No token needed: it says nothing that a 401 would not point to.
 */
@Path("/.well-known/oauth-protected-resource")
@Tag(name = "discovery", description = "Where to sign in")
public class ProtectedResourceMetadataResource {
  @ConfigProperty(name = "quarkus.oidc.auth-server-url") String issuer;

  @Inject StrataConfig config;

  @GET
  @PermitAll
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(summary = "RFC 9728 metadata: the token issuer, and billing's address")
  public Map<String, Object> metadata(@Context UriInfo uri) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("resource", uri.getBaseUri().resolve("/api/v1").toString());
    m.put("authorization_servers", List.of(issuer));
    m.put("bearer_methods_supported", List.of("header"));
    // billing's API ends in /api/v1 (as the console is given it); clients want the service's root
    m.put("strata_billing_url", config.billingUrl().replaceFirst("/api/v1/?$", ""));
    m.put("strata_cli_client_id", "strata-cli");
    return m;
  }
}
