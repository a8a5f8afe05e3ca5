package io.strata.engine.transport;

import java.io.IOException;
import java.util.function.Function;

/** Accepts initiator connections on portals and frames their bytes into PDUs. */
public interface Transport extends AutoCloseable {

  /** Starts accepting on {@code portal}; returns once the socket listens. */
  void listen(Portal portal, Function<PduConnection, PduHandler> acceptor) throws IOException;

  /** Stops accepting, closes every connection and waits for the I/O threads to end. */
  @Override
  void close();
}
