package io.strata.engine.transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Several transports behind one: each portal is served by the transport it was assigned (iSER
 * portals by the iSER transport), every other portal by the default one (TCP).
 */
public final class RoutingTransport implements Transport {
  private final Transport fallback;
  private final Map<Portal, Transport> routes = new ConcurrentHashMap<>();
  private final List<Transport> all = new ArrayList<>();

  public RoutingTransport(Transport fallback) {
    this.fallback = fallback;
    all.add(fallback);
  }

  /** Serves {@code portal} with {@code transport}. */
  public RoutingTransport route(Portal portal, Transport transport) {
    routes.put(portal, transport);
    if (!all.contains(transport)) {
      all.add(transport);
    }
    return this;
  }

  @Override
  public void listen(Portal portal, Function<PduConnection, PduHandler> acceptor) throws IOException {
    routes.getOrDefault(portal, fallback).listen(portal, acceptor);
  }

  @Override
  public void close() {
    for (Transport t : all) {
      t.close();
    }
  }
}
