package io.strata.csi.node;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A host that records every command line and answers from a script: the first scripted answer
 * whose command line starts with the given words, else exit 0 with no output. Files live in memory.
 */
final class RecordingHost implements HostCommands {

  final List<String> commands = new ArrayList<>();
  final Map<String, Result> answers = new LinkedHashMap<>();
  final Set<Path> existing = new HashSet<>();
  final Map<Path, String> files = new LinkedHashMap<>();

  RecordingHost answer(String commandPrefix, int exit, String stdout) {
    answers.put(commandPrefix, new Result(exit, stdout, exit == 0 ? "" : "failed"));
    return this;
  }

  @Override
  public synchronized Result run(List<String> command) {
    String line = String.join(" ", command);
    commands.add(line);
    if (command.get(0).equals("ls")) {
      StringBuilder names = new StringBuilder();
      for (Path p : files.keySet()) {
        if (p.getParent().toString().equals(command.get(1))) {
          names.append(p.getFileName()).append('\n');
        }
      }
      return new Result(0, names.toString(), "");
    }
    for (var e : answers.entrySet()) {
      if (line.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return new Result(0, "", "");
  }

  @Override
  public boolean exists(Path path) {
    return existing.contains(path) || files.containsKey(path);
  }

  @Override
  public void createDirectories(Path path) {
    existing.add(path);
  }

  @Override
  public void createFile(Path path) {
    existing.add(path);
  }

  @Override
  public void deleteIfExists(Path path) {
    existing.remove(path);
    files.remove(path);
  }

  @Override
  public String read(Path path) {
    return files.get(path);
  }

  @Override
  public void write(Path path, String content) {
    files.put(path, content);
  }
}
