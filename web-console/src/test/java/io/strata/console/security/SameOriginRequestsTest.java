package io.strata.console.security;

import static io.strata.console.security.SameOriginRequests.allowed;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SameOriginRequestsTest {
  static final String OWN = "http://127.0.0.1:8080";

  @Test
  void readsAreNeverChecked() {
    assertThat(allowed("GET", "https://evil.example", null, OWN)).isTrue();
    assertThat(allowed("HEAD", null, null, OWN)).isTrue();
  }

  @Test
  void aPostFromTheConsoleItselfGoesOn() {
    assertThat(allowed("POST", "http://127.0.0.1:8080", null, OWN)).isTrue();
    assertThat(allowed("POST", null, "http://127.0.0.1:8080/servers?cursor=x", OWN)).isTrue();
    assertThat(allowed("POST", "https://console.example", null, "https://console.example:443")).isTrue();
  }

  @Test
  void aPostFromAnotherOriginIsRefused() {
    assertThat(allowed("POST", "https://evil.example", null, OWN)).isFalse();
    assertThat(allowed("POST", "http://127.0.0.1:8081", null, OWN)).as("another port").isFalse();
    assertThat(allowed("POST", "https://127.0.0.1:8080", null, OWN)).as("another scheme").isFalse();
    assertThat(allowed("DELETE", "http://127.0.0.1:8080.evil.example", null, OWN)).isFalse();
    // a foreign Origin is not excused by a Referer that looks right
    assertThat(allowed("POST", "https://evil.example", "http://127.0.0.1:8080/", OWN)).isFalse();
  }

  @Test
  void anOpaqueOriginOrNoOriginAtAllIsRefused() {
    assertThat(allowed("POST", "null", null, OWN)).isFalse();
    assertThat(allowed("POST", null, null, OWN)).isFalse();
    assertThat(allowed("PUT", null, "https://evil.example/page", OWN)).isFalse();
    assertThat(allowed("POST", "", null, OWN)).isFalse();
  }
}
