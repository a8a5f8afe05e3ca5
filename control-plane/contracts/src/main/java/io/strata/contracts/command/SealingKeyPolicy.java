package io.strata.contracts.command;

import java.util.Optional;

/**
 * Which key may seal CHAP secrets in which run. Development and tests may use the well-known
 * development key; every other run (the prod profile, the local stack, any deployment) must be
 * given its own key through {@code STRATA_SECRETS_KEY}, and refuses to start without one or with
 * the development key, whose value is in this repository and so seals nothing. The control plane
 * seals with the key and the agents open with it (and derive the drive exports' CHAP from it), so
 * both keep to the same rule.
 */
public final class SealingKeyPolicy {
  /** The development key of application.properties ({@code %dev} and {@code %test} only). */
  public static final String DEVELOPMENT_KEY = "c3RyYXRhLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyE=";

  private SealingKeyPolicy() {}

  /**
   * The key to use in a run that is ({@code devOrTest}) or is not a development or test run; an
   * IllegalStateException naming the fix if there is none.
   */
  public static String keyFor(boolean devOrTest, Optional<String> configured) {
    String key = configured.map(String::strip).filter(k -> !k.isEmpty()).orElse(null);
    if (devOrTest) {
      return key == null ? DEVELOPMENT_KEY : key;
    }
    if (key == null) {
      throw new IllegalStateException(
          "no key to seal CHAP secrets: set STRATA_SECRETS_KEY to the base64 of 32 random bytes "
              + "(e.g. `head -c 32 /dev/urandom | base64`), the same for the control plane and the agents");
    }
    if (key.equals(DEVELOPMENT_KEY)) {
      throw new IllegalStateException(
          "STRATA_SECRETS_KEY is the development key, which is public: set it to the base64 of 32 random "
              + "bytes of this installation's own (e.g. `head -c 32 /dev/urandom | base64`)");
    }
    return key;
  }
}
