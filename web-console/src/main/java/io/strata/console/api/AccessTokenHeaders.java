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

  /** The user's token for a call made on another thread than the request's (SideBySide). */
  private static final ThreadLocal<String> HANDED_OVER = new ThreadLocal<>();

  @Inject SecurityIdentity identity;

  @Override
  public MultivaluedMap<String, String> update(
      MultivaluedMap<String, String> incoming, MultivaluedMap<String, String> outgoing) {
    MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
    String token = HANDED_OVER.get();
    if (token != null && token.isEmpty()) {
      token = null; // handed over: the user had no token; the request's identity is not here to ask
    } else if (token == null) {
      AccessTokenCredential credential = identity.getCredential(AccessTokenCredential.class);
      token = credential == null ? null : credential.getToken();
    }
    if (token != null) {
      headers.putSingle("Authorization", "Bearer " + token);
    }
    return headers;
  }

  /** Runs {@code call} on this thread as the user whose access token is given. */
  static <T> T forThisThread(String token, java.util.function.Supplier<T> call) {
    HANDED_OVER.set(token == null ? "" : token);
    try {
      return call.get();
    } finally {
      HANDED_OVER.remove();
    }
  }
}
