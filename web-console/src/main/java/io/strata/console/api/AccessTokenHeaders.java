package io.strata.console.api;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Calls the APIs as the signed-in user: forwards the access token of the user's OIDC session as a
 * bearer token, so that the control plane and billing apply that user's tenant and roles. The
 * console never holds a token of its own for these calls.
 */
@ApplicationScoped
public class AccessTokenHeaders implements ClientHeadersFactory {

  @Inject SecurityIdentity identity;

  @Override
  public MultivaluedMap<String, String> update(
      MultivaluedMap<String, String> incoming, MultivaluedMap<String, String> outgoing) {
    MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
    AccessTokenCredential token = identity.getCredential(AccessTokenCredential.class);
    if (token != null) {
      headers.putSingle("Authorization", "Bearer " + token.getToken());
    }
    return headers;
  }
}
