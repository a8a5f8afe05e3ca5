package io.strata.agent.supervision;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Starts one engine as its own JVM: {@code java [options] -cp <engine> <main class> <arguments>},
 * the same main class that array-agent/bin/strata-engine runs. Its heap is sized from the engine
 * size so that several engines fit a node.
 */
public final class EngineLauncher {

  private final String mainClass;
  private final Optional<String> configuredClasspath;
  private final List<String> jvmOptions;

  public EngineLauncher(String mainClass, Optional<String> classpath, List<String> jvmOptions) {
    this.mainClass = mainClass;
    this.configuredClasspath = classpath.filter(s -> !s.isBlank());
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  public String mainClass() {
    return mainClass;
  }

  /** The full command line for {@code spec}. Fails with a clear reason when the engine is absent. */
  public List<String> commandLine(EngineSpec spec) throws EngineUnavailableException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heapMib(spec.memoryMib()) + "m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Dstrata.engine.array=" + spec.arrayId());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath());
    command.add(mainClass);
    command.addAll(spec.arguments());
    return command;
  }

  public Process start(EngineSpec spec, Path log) throws IOException, EngineUnavailableException {
    List<String> command = new ArrayList<>(SighupDisposition.restoringPrefix());
    command.addAll(commandLine(spec));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectErrorStream(true);
    return builder.start();
  }

  /** A quarter of the engine's memory share for the heap, between 64 and 512 MiB. */
  static int heapMib(int memoryMib) {
    return Math.max(64, Math.min(512, memoryMib / 4));
  }

  private String classpath() throws EngineUnavailableException {
    if (configuredClasspath.isPresent()) {
      return configuredClasspath.get();
    }
    Class<?> main;
    try {
      main = Class.forName(mainClass, false, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new EngineUnavailableException(
          "engine main class " + mainClass + " is not in this agent's build; set strata.agent.engine.classpath");
    }
    Set<String> entries = new LinkedHashSet<>();
    Path engine = Path.of(location(main));
    entries.add(engine.toString());
    // The engine's dependencies travel with it: in the packaged agent they sit beside its jar
    // (quarkus-app/lib/main), in a test run they are on the JVM's own class path.
    if (engine.toString().endsWith(".jar") && engine.getParent() != null) {
      entries.add(engine.getParent().resolve("*").toString());
    }
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(entry);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static String location(Class<?> type) throws EngineUnavailableException {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException | NullPointerException | SecurityException e) {
      throw new EngineUnavailableException("cannot find the jar of " + type.getName());
    }
  }

  /** The engine cannot be started on this node at all; retrying will not help. */
  public static final class EngineUnavailableException extends Exception {
    public EngineUnavailableException(String message) {
      super(message);
    }
  }
}
