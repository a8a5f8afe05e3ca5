package io.strata.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DriverConfigTest {

  static Properties minimal() {
    Properties p = new Properties();
    p.setProperty("controlPlaneUrl", "http://127.0.0.1:8081");
    p.setProperty("tokenUrl", "http://127.0.0.1:8180/realms/strata/protocol/openid-connect/token");
    p.setProperty("clientId", "strata-csi");
    p.setProperty("clientSecret", "s3cret");
    return p;
  }

  @Test
  void defaultsForWhatIsNotSet() {
    DriverConfig c = DriverConfig.from(minimal());
    assertThat(c.driverName()).isEqualTo("csi.strata.io");
    assertThat(c.waitTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(c.username()).isNull();
  }

  @Test
  void aMisspeltOrMissingSettingIsNamed() {
    Properties typo = minimal();
    typo.setProperty("chapUsr", "x");
    assertThatThrownBy(() -> DriverConfig.from(typo)).hasMessageContaining("chapUsr");
    Properties noUrl = minimal();
    noUrl.remove("controlPlaneUrl");
    assertThatThrownBy(() -> DriverConfig.from(noUrl)).hasMessageContaining("controlPlaneUrl");
    Properties noCredentials = minimal();
    noCredentials.remove("clientSecret");
    assertThatThrownBy(() -> DriverConfig.from(noCredentials)).hasMessageContaining("clientSecret");
    Properties noPassword = minimal();
    noPassword.setProperty("username", "acme-admin");
    assertThatThrownBy(() -> DriverConfig.from(noPassword)).hasMessageContaining("password");
  }
}
