package io.strata.engine.iscsi.target;

import io.strata.engine.iscsi.login.Authentication;
import java.util.List;
import java.util.Optional;

/**
 * The targets one engine serves. A target's definition (who may log in, how) can be replaced
 * while the engine runs; logins and discovery that start afterwards use the new one.
 */
public final class Targets {
  private volatile List<TargetDefinition> targets;
  /** Per target name, the lowest fencing epoch a new session must present (absent: any). */
  private final java.util.concurrent.ConcurrentHashMap<String, Long> minimumEpochs =
      new java.util.concurrent.ConcurrentHashMap<>();

  public Targets(List<TargetDefinition> targets) {
    this.targets = List.copyOf(targets);
  }

  /**
   * Replaces the definition of the target named like {@code next}. Its portals cannot change
   * (they are listened on at start). Sessions already logged in are not touched here.
   */
  public synchronized void replace(TargetDefinition next) {
    List<TargetDefinition> updated = new java.util.ArrayList<>(targets);
    for (int i = 0; i < updated.size(); i++) {
      if (updated.get(i).name().equals(next.name())) {
        if (!updated.get(i).portals().equals(next.portals())) {
          throw new IllegalArgumentException("target " + next.name()
              + ": portals cannot change while the engine runs");
        }
        updated.set(i, next);
        targets = List.copyOf(updated);
        return;
      }
    }
    throw new IllegalArgumentException("no target " + next.name());
  }

  /** Adds a target (export mode: a drive lent to an array); its name must be new. */
  public synchronized void add(TargetDefinition target) {
    if (find(target.name()).isPresent()) {
      throw new IllegalArgumentException("target " + target.name() + " exists already");
    }
    List<TargetDefinition> updated = new java.util.ArrayList<>(targets);
    updated.add(target);
    targets = List.copyOf(updated);
  }

  /**
   * Removes the target named {@code name}: new logins and discovery no longer see it. Its
   * sessions are the caller's to end ({@code SessionRegistry.endSessionsOf}).
   *
   * @return whether there was such a target
   */
  public synchronized boolean remove(String name) {
    List<TargetDefinition> updated = new java.util.ArrayList<>(targets);
    boolean removed = updated.removeIf(t -> t.name().equals(name));
    targets = List.copyOf(updated);
    return removed;
  }

  public Optional<TargetDefinition> find(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** What SendTargets=All may show this initiator: only targets it may log in to. */
  public List<TargetDefinition> visibleTo(String initiatorName) {
    return targets.stream().filter(t -> t.admits(initiatorName)).toList();
  }

  /**
   * Discovery sessions authenticate like the targets behind the portal: if any target wants
   * CHAP, discovery wants the same credentials (an engine serves one tenant's targets).
   */
  public Authentication discoveryAuthentication() {
    return discoveryAuthentication(null);
  }

  /**
   * Discovery authentication for one initiator: its own credentials where a target lists it,
   * else as {@link #discoveryAuthentication()}.
   */
  public Authentication discoveryAuthentication(String initiatorName) {
    for (TargetDefinition target : targets) {
      Authentication own = target.initiatorAuthentication().get(initiatorName);
      if (own != null) {
        return own;
      }
    }
    return targets.stream()
        .map(TargetDefinition::authentication)
        .filter(Authentication::required)
        .findFirst()
        .orElse(Authentication.NONE);
  }

  /**
   * Fences target {@code name} at {@code epoch} (docs/high-availability.md): from now on a login
   * must present at least that epoch ({@code io.strata.engine.iscsi.login.FencingEpoch}); 0
   * admits any. Sessions already logged in are the caller's to end.
   */
  public void fence(String name, long epoch) {
    if (epoch <= 0) {
      minimumEpochs.remove(name);
    } else {
      minimumEpochs.put(name, epoch);
    }
  }

  /** The lowest epoch a login to target {@code name} must present; 0: any (or none). */
  public long minimumEpoch(String name) {
    return minimumEpochs.getOrDefault(name, 0L);
  }

  public List<TargetDefinition> all() {
    return targets;
  }
}
