package io.strata.console.web;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Where Keycloak sends the browser after sign-out; public, so it never starts a new sign-in. */
@Path("/signed-out")
public class SignedOutResource {
  @Inject
  @io.quarkus.qute.Location("signed-out.html")
  Template signedOut;

  @GET
  @Produces(MediaType.TEXT_HTML)
  public TemplateInstance show() {
    return signedOut.instance();
  }
}
