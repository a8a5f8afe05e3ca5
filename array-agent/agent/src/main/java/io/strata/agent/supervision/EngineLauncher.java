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
import java.util.function.Consumer;
import io.strata.engine.cli.HostedEngine;

/**
 * Starts one engine as its own JVM: {@code java [options] -cp <engine> <main class> <arguments>},
 * the same main class that array-agent/bin/strata-engine runs. Its heap is sized from the engine
 * size so that several engines fit a node. In {@link Mode#HOSTED} it starts the same engine, with
 * the same arguments, inside the agent's JVM instead ({@link HostedEngine}): no JVM per engine, no
 * per-engine cgroup, for a fleet of small engines on one machine (the scale drill).
 */
public final class EngineLauncher {

  /** How engines run: each its own JVM (production), or hosted in the agent's JVM. */
  public enum Mode {
    PROCESS,
    HOSTED
  }

  private final String mainClass;
  private final Optional<String> configuredClasspath;
  private final List<String> jvmOptions;
  private final Mode mode;
  /** The engines' KMS settings ({@code --kmip}, docs/encryption.md), or null: none. */
  private volatile Path kmipSettings;

  public EngineLauncher(String mainClass, Optional<String> classpath, List<String> jvmOptions) {
    this(mainClass, classpath, jvmOptions, Mode.PROCESS);
  }

  public EngineLauncher(String mainClass, Optional<String> classpath, List<String> jvmOptions, Mode mode) {
    this.mainClass = mainClass;
    this.configuredClasspath = classpath.filter(s -> !s.isBlank());
    this.jvmOptions = List.copyOf(jvmOptions);
    this.mode = mode;
  }

  /**
   * Array engines start with {@code --kmip FILE}: the KMS that wraps their encrypted volumes' data
   * keys (the node's client certificate). Empty: engines get none, and serve no encrypted volume.
   */
  public EngineLauncher withKmipSettings(Optional<Path> file) {
    this.kmipSettings = file.orElse(null);
    return this;
  }

  /** What the engine of {@code spec} is started with: its spec's arguments and the node's KMS. */
  List<String> engineArguments(EngineSpec spec) {
    List<String> arguments = new ArrayList<>(spec.arguments());
    if (kmipSettings != null && spec.exportsFile() == null) {
      arguments.add("--kmip");
      arguments.add(kmipSettings.toString());
    }
    return arguments;
  }

  public Mode mode() {
    return mode;
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
    command.addAll(engineArguments(spec));
    return command;
  }

  /** Starts the engine of {@code spec}; its output lines (the ready line among them) go to {@code lines}. */
  public RunningEngine start(EngineSpec spec, Consumer<String> lines) throws IOException, EngineUnavailableException {
    if (mode == Mode.HOSTED) {
      if (!HOSTABLE_MAIN.equals(mainClass)) {
        throw new EngineUnavailableException("hosted engines run " + HOSTABLE_MAIN + ", not " + mainClass
            + "; set strata.agent.engine.mode=process");
      }
      String name = "engine-" + spec.arrayId();
      return new RunningEngine.Hosted(HostedEngine.start(name, engineArguments(spec), lines), name);
    }
    List<String> command = new ArrayList<>(SighupDisposition.restoringPrefix());
    command.addAll(commandLine(spec));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectErrorStream(true);
    return RunningEngine.OwnProcess.started(builder.start(), spec.arrayId(), lines);
  }

  /** The one engine a hosted mode can run: the real one. */
  static final String HOSTABLE_MAIN = "io.strata.engine.cli.EngineMain";

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
