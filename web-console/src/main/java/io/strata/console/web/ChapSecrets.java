package io.strata.console.web;

import java.security.SecureRandom;

/**
 * CHAP secrets the console makes for the user: 16 characters (the most a Windows initiator
 * accepts; Linux takes up to 64) drawn from 62 letters and digits by a SecureRandom, about 95
 * bits. Letters and digits only, so that they paste into a shell or iscsid.conf unquoted.
 */
public final class ChapSecrets {
  static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  public static final int LENGTH = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ChapSecrets() {}

  public static String generate() {
    StringBuilder s = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }
}
