package io.strata.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything a service in the test JVM logs, from {@link #start()} until {@link #close()}: a
 * handler on the root logger (Quarkus's log manager is a java.util.logging one), at every level
 * the service's log configuration lets through. Each record is kept as its formatted message plus
 * the messages of its exception chain, i.e. all the text the log would carry.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
  /** One log record: its level, logger and full text. */
  public record Entry(Level level, String logger, String text) {
    public boolean isError() {
      return level.intValue() >= Level.SEVERE.intValue();
    }
  }

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  private CapturedLog() {}

  public static CapturedLog start() {
    CapturedLog log = new CapturedLog();
    log.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(log);
    return log;
  }

  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  public List<Entry> errors() {
    return entries.stream().filter(Entry::isError).toList();
  }

  /** All captured text, one record after another. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      sb.append(e.level()).append(' ').append(e.logger()).append(' ').append(e.text()).append('\n');
    }
    return sb.toString();
  }

  @Override
  public void publish(LogRecord record) {
    StringBuilder text = new StringBuilder(formatted(record));
    for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
      text.append("\n  caused by ").append(t);
      for (Throwable s : t.getSuppressed()) {
        text.append("\n  suppressed ").append(s);
      }
    }
    entries.add(new Entry(record.getLevel(), record.getLoggerName(), text.toString()));
  }

  private static String formatted(LogRecord record) {
    String message = record.getMessage();
    Object[] params = record.getParameters();
    if (message == null || params == null || params.length == 0) {
      return String.valueOf(message);
    }
    try {
      // JBoss Logging records use printf or MessageFormat style; keep the message and every parameter
      StringBuilder sb = new StringBuilder(message);
      for (Object p : params) {
        sb.append(" | ").append(p);
      }
      return sb.toString();
    } catch (RuntimeException e) {
      return message;
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(this);
  }
}
