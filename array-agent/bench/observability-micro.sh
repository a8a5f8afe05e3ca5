#!/usr/bin/env bash
# What the engine's I/O counting costs per I/O (issue 19, "the cost of watching"), measured with
# JMH in one JVM: a 4 KiB READ(10)/WRITE(10) through io.strata.engine.stats.IoCounters over a
# target that does nothing, against the bare target (IoCountersBench, two threads). Unlike the
# end-to-end on/off runs of observability.sh, whose rounds vary by ±15 %, this isolates the few
# tens of nanoseconds the counters add. Prints JMH's table; docs/benchmarks/observability.md
# keeps the figures.
# Arguments go to JMH: e.g. -t 1 for one thread, -f 1 -i 5 for a shorter run. On a loaded machine
# wall time per operation is mostly time descheduled; add -prof perfnorm:events=task-clock for the
# CPU time per operation (the JVM's task-clock over the operations; needs perf).
#   array-agent/bench/observability-micro.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. array-agent/bench/engine-test-java.lib.sh
engine_test_java org.openjdk.jmh.Main IoCountersBench "$@"
