package io.strata.engine.iscsi.defence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The messages one java.util.logging logger writes while open. */
final class CapturedLog extends Handler implements AutoCloseable {
  private final Logger logger;
  final List<String> lines = new CopyOnWriteArrayList<>();

  CapturedLog(Class<?> of) {
    this.logger = Logger.getLogger(of.getName());
    logger.addHandler(this);
  }

  List<String> containing(String text) {
    return lines.stream().filter(l -> l.contains(text)).toList();
  }

  @Override
  public void publish(LogRecord record) {
    lines.add(record.getMessage());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
  }
}
