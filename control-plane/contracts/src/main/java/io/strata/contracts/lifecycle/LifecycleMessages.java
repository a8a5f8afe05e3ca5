package io.strata.contracts.lifecycle;

import io.strata.contracts.MessageType;
import java.util.List;

/** The lifecycle message types on {@code strata.events}; all share the prefix {@value #TYPE_PREFIX}. */
public final class LifecycleMessages {

  public static final String TYPE_PREFIX = "io.strata.lifecycle.";

  /** One {@link ResourceLifecycleEvent}. */
  public static final MessageType<ResourceLifecycleEvent> RESOURCE_LIFECYCLE =
      MessageType.of(TYPE_PREFIX + "resource", ResourceLifecycleEvent.class, 1);

  public static final List<MessageType<?>> ALL = List.of(RESOURCE_LIFECYCLE);

  private LifecycleMessages() {}
}
