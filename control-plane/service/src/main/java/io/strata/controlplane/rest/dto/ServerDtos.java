package io.strata.controlplane.rest.dto;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

public final class ServerDtos {
  private ServerDtos() {}

  /**
   * An initiator. CHAP secrets are 12-64 characters (12-16 for Windows initiators); they are
   * sealed at rest and never returned.
   */
  public record ServerCreate(
      @NotNull @Pattern(regexp = Names.NAME, message = Names.NAME_MESSAGE) String name,
      @NotNull @Pattern(regexp = Names.IQN, message = Names.IQN_MESSAGE) String iqn,
      @Size(min = 1, max = 64) String chapUser,
      @Size(min = 12, max = 64) String chapSecret,
      @Size(min = 1, max = 64) String mutualChapUser,
      @Size(min = 12, max = 64) String mutualChapSecret) {}

  /** New CHAP credentials (all four fields replace the current ones; null removes them). */
  public record ServerCredentials(
      @Size(min = 1, max = 64) String chapUser,
      @Size(min = 12, max = 64) String chapSecret,
      @Size(min = 1, max = 64) String mutualChapUser,
      @Size(min = 12, max = 64) String mutualChapSecret) {}

  public record ServerView(
      UUID id, String name, String iqn, String chapUser, String mutualChapUser, Instant createdAt) {}
}
