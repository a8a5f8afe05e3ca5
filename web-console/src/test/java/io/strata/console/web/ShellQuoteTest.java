package io.strata.console.web;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

class ShellQuoteTest {

  /** Any text without NUL (which no shell argument can hold) comes back from bash unchanged. */
  @Property(tries = 300)
  void bashReadsTheQuotedWordBackAsTheSameText(
      @ForAll @StringLength(max = 40)
          @Chars({'\'', '"', '\\', '$', '`', '\n', '\r', '\t', ' ', ';', '#', '&', '|', '!', '*', '?', '~', '(', ')', '{', '<', '>'})
          @CharRange(from = '\u0001', to = '\u007f')
          @CharRange(from = '\u00a0', to = '\u04ff')
          String value)
      throws Exception {
    assertThat(Bash.run("printf %s " + ShellQuote.quote(value))).isEqualTo(value);
  }

  @Example
  void singleQuotesAreClosedEscapedAndReopened() {
    assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(ShellQuote.quote("")).isEqualTo("''");
  }
}
