package io.strata.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Bearer tokens a service must refuse, as an attacker without credentials (or with a token of the
 * wrong kind) would send them. Forged tokens are signed with a key of our own, once with a key id
 * the realm does not have and once with the realm's real key id.
 */
public final class BadTokens {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private BadTokens() {}

  /** Name → token; every one of them must be answered 401. */
  public static Map<String, String> all() {
    Map<String, String> tokens = new LinkedHashMap<>();
    String realKid = realmSigningKid();
    long now = Instant.now().getEpochSecond();
    String access = Tokens.accessToken("acme-admin");
    tokens.put("garbage", "not-a-token");
    tokens.put("opaque", UUID.randomUUID().toString().replace("-", ""));
    tokens.put("three-dots-not-json", "a.b.c");
    tokens.put("alg-none", unsigned(claims(now, now + 300)));
    tokens.put("tampered-signature", tamper(access));
    tokens.put("tampered-claims", withClaim(access, "tenant", "globex"));
    tokens.put("forged-unknown-kid", forged("kid-" + UUID.randomUUID(), claims(now, now + 300)));
    tokens.put("forged-real-kid", forged(realKid, claims(now, now + 300)));
    tokens.put("forged-expired", forged(realKid, claims(now - 3600, now - 1800)));
    tokens.put("id-token", Tokens.idToken("acme-admin"));
    return tokens;
  }

  private static Map<String, Object> claims(long iat, long exp) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", TestServers.realmUrl());
    c.put("sub", UUID.randomUUID().toString());
    c.put("typ", "Bearer");
    c.put("iat", iat);
    c.put("exp", exp);
    c.put("preferred_username", "mallory");
    c.put("tenant", "acme");
    c.put("realm_access", Map.of("roles", new String[] {"operator", "tenant-admin"}));
    return c;
  }

  private static String unsigned(Map<String, Object> claims) {
    return part(Map.of("alg", "none", "typ", "JWT")) + "." + part(claims) + ".";
  }

  private static String forged(String kid, Map<String, Object> claims) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      String signingInput = part(Map.of("alg", "RS256", "typ", "JWT", "kid", kid)) + "." + part(claims);
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(pair.getPrivate());
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The real token with one signature byte changed. */
  private static String tamper(String jwt) {
    int dot = jwt.lastIndexOf('.');
    byte[] signature = Base64.getUrlDecoder().decode(jwt.substring(dot + 1));
    signature[signature.length / 2] ^= 0x5a;
    return jwt.substring(0, dot + 1) + B64.encodeToString(signature);
  }

  /** The real token with one claim changed and the real signature kept. */
  private static String withClaim(String jwt, String name, String value) {
    String[] parts = jwt.split("\\.");
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
      claims.put(name, value);
      return parts[0] + "." + part(claims) + "." + parts[2];
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String part(Map<String, ?> json) {
    try {
      return B64.encodeToString(JSON.writeValueAsBytes(json));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key id of the realm's RS256 signing key, read from its JWKS. */
  static String realmSigningKid() {
    URI jwks = URI.create(TestServers.realmUrl() + "/protocol/openid-connect/certs");
    try {
      HttpResponse<String> response = HttpClient.newHttpClient()
          .send(HttpRequest.newBuilder(jwks).build(), HttpResponse.BodyHandlers.ofString());
      for (JsonNode key : JSON.readTree(response.body()).get("keys")) {
        if ("RS256".equals(key.path("alg").asText()) && "sig".equals(key.path("use").asText())) {
          return key.get("kid").asText();
        }
      }
      throw new IllegalStateException("the realm has no RS256 signing key: " + response.body());
    } catch (IOException e) {
      throw new IllegalStateException("could not read " + jwks, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
