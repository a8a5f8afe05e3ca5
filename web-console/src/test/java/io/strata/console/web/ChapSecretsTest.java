package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChapSecretsTest {

  @Test
  void secretsFitEveryInitiatorAndPasteUnquoted() {
    for (int i = 0; i < 1000; i++) {
      // 12-16 characters is what Windows accepts and the control plane's minimum is 12
      assertThat(ChapSecrets.generate()).hasSize(16).matches("[A-Za-z0-9]{16}");
    }
  }

  @Test
  void secretsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(ChapSecrets.generate())).isTrue();
    }
  }

  @Test
  void everyCharacterOfTheAlphabetIsUsed() {
    Set<Character> used = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      for (char c : ChapSecrets.generate().toCharArray()) {
        used.add(c);
      }
    }
    assertThat(used).hasSize(ChapSecrets.ALPHABET.length());
  }
}
