# Shared by the micro-benchmarks that run a main class of the engine's test classes (source it
# from the repository's root): compiles the engine and its tests, then runs
#   engine_test_java MAIN-CLASS [ARGS...]
# with the engine's classes, test classes and test-scope dependencies on the class path.
engine_test_java() {
  ./mvnw -B -ntp -q -pl array-agent/engine -am test-compile
  local cp_file
  cp_file="$(mktemp)"
  ./mvnw -B -ntp -q -pl array-agent/engine dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file"
  local cp
  cp="$(cat "$cp_file"):array-agent/engine/target/classes:array-agent/engine/target/test-classes"
  rm -f "$cp_file"
  java -cp "$cp" "$@"
}
