package io.strata.controlplane.rest.dto;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

public final class ServerDtos {
  private ServerDtos() {}

  /**
   * An initiator. Its IQN and CHAP user names are pasted into the commands an admin runs (the
   * console's iscsiadm lines), so they are held to their RFC character sets (Names). CHAP secrets
   * are 12-64 characters (12-16 for Windows initiators); they are sealed at rest and never returned.
   */
  public record ServerCreate(
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull @Size(max = Names.IQN_MAX, message = Names.IQN_MESSAGE)
          @Pattern(regexp = Names.IQN, message = Names.IQN_MESSAGE) String iqn,
      @Pattern(regexp = Names.CHAP_NAME, message = Names.CHAP_NAME_MESSAGE) String chapUser,
      @Pattern(regexp = Names.CHAP_SECRET, message = Names.CHAP_SECRET_MESSAGE) String chapSecret,
      @Pattern(regexp = Names.CHAP_NAME, message = Names.CHAP_NAME_MESSAGE) String mutualChapUser,
      @Pattern(regexp = Names.CHAP_SECRET, message = Names.CHAP_SECRET_MESSAGE) String mutualChapSecret) {}

  /** New CHAP credentials (all four fields replace the current ones; null removes them). */
  public record ServerCredentials(
      @Pattern(regexp = Names.CHAP_NAME, message = Names.CHAP_NAME_MESSAGE) String chapUser,
      @Pattern(regexp = Names.CHAP_SECRET, message = Names.CHAP_SECRET_MESSAGE) String chapSecret,
      @Pattern(regexp = Names.CHAP_NAME, message = Names.CHAP_NAME_MESSAGE) String mutualChapUser,
      @Pattern(regexp = Names.CHAP_SECRET, message = Names.CHAP_SECRET_MESSAGE) String mutualChapSecret) {}

  public record ServerView(
      UUID id, String name, String iqn, String chapUser, String mutualChapUser, Instant createdAt) {}
}
