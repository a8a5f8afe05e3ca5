package io.strata.cli.config;

import io.strata.cli.CliException;
import io.strata.cli.ExitCode;

/**
 * The profile a command works with: {@code --profile}, else {@code STRATA_PROFILE}, else the
 * file's current profile, else {@code default}. Saves the whole file after a change (new tokens).
 */
public final class Profiles {
  private final ConfigFile file;
  private final ConfigFile.Content content;
  private final String selected;

  public Profiles(ConfigFile file, String explicitName, String environmentName) {
    this.file = file;
    this.content = file.read();
    String name = explicitName != null ? explicitName : environmentName != null ? environmentName : content.current;
    this.selected = name != null ? name : ConfigFile.DEFAULT_PROFILE;
  }

  public String selectedName() {
    return selected;
  }

  /** The selected profile; an empty one (not signed in) when the file has none by that name. */
  public Profile selected() {
    return content.profiles.computeIfAbsent(selected, n -> new Profile());
  }

  public ConfigFile.Content content() {
    return content;
  }

  public void makeCurrent(String name) {
    if (!content.profiles.containsKey(name)) {
      throw new CliException(ExitCode.NOT_FOUND, "no profile '" + name + "' in " + file.path());
    }
    content.current = name;
  }

  public void remove(String name) {
    if (content.profiles.remove(name) == null) {
      throw new CliException(ExitCode.NOT_FOUND, "no profile '" + name + "' in " + file.path());
    }
    if (name.equals(content.current)) {
      content.current = null;
    }
  }

  public void save() {
    // an empty profile made by selected() for a command that then failed is not kept
    content.profiles.values().removeIf(p -> p.url == null && !p.signedIn());
    file.write(content);
  }
}
