package io.strata.controlplane.domain;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * An explicit table of allowed transitions between the states of one kind of object. Nothing
 * moves between states except through {@link #require}, so the table is the whole truth about the
 * lifecycle and the tests can check every pair of states against it.
 */
public final class StateMachine<S extends Enum<S>> {

  private final String objectKind;
  private final Map<S, Set<S>> allowed;

  private StateMachine(String objectKind, Map<S, Set<S>> allowed) {
    this.objectKind = objectKind;
    this.allowed = allowed;
  }

  public static <S extends Enum<S>> Builder<S> of(String objectKind, Class<S> states) {
    return new Builder<>(objectKind, states);
  }

  public String objectKind() {
    return objectKind;
  }

  public boolean allows(S from, S to) {
    return allowed.get(from).contains(to);
  }

  public Set<S> next(S from) {
    return Collections.unmodifiableSet(allowed.get(from));
  }

  public boolean isTerminal(S state) {
    return allowed.get(state).isEmpty();
  }

  /** Returns {@code to} when the move is allowed, otherwise throws the reason as a conflict. */
  public S require(S from, S to, String reason) {
    if (!allows(from, to)) {
      throw new IllegalTransitionException(objectKind, from.name(), to.name(), reason);
    }
    return to;
  }

  public static final class Builder<S extends Enum<S>> {
    private final String objectKind;
    private final Class<S> states;
    private final Map<S, Set<S>> allowed;

    private Builder(String objectKind, Class<S> states) {
      this.objectKind = objectKind;
      this.states = states;
      this.allowed = new EnumMap<>(states);
      for (S s : states.getEnumConstants()) {
        allowed.put(s, EnumSet.noneOf(states));
      }
    }

    @SafeVarargs
    public final Builder<S> from(S from, S... to) {
      for (S t : to) {
        if (t == from) {
          throw new IllegalArgumentException(objectKind + ": self transition " + from);
        }
        allowed.get(from).add(t);
      }
      return this;
    }

    /** Every state except the listed terminal ones may fail. */
    public Builder<S> anyNonTerminalTo(S failed, Set<S> terminal) {
      for (S s : states.getEnumConstants()) {
        if (s != failed && !terminal.contains(s)) {
          allowed.get(s).add(failed);
        }
      }
      return this;
    }

    public StateMachine<S> build() {
      Map<S, Set<S>> frozen = new EnumMap<>(states);
      allowed.forEach((k, v) -> frozen.put(k, Collections.unmodifiableSet(EnumSet.copyOf(nonEmpty(v)))));
      return new StateMachine<>(objectKind, frozen);
    }

    private Set<S> nonEmpty(Set<S> set) {
      return set.isEmpty() ? EnumSet.noneOf(states) : set;
    }
  }
}
