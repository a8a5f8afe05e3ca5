#!/usr/bin/env bash
# What the restripe's window lock cost each host I/O of a RAID-5 pool (issue 18, the parity
# pool's fast path): ParityPoolLockBench, two threads of random 4 KiB reads and writes on a pool
# of four drives in memory, CPU time per I/O with the gate (no lock while no restripe runs)
# against every I/O taking the lock (as before the gate), alternating within each round.
# docs/benchmarks/parity-pool.md keeps the figures.
#   array-agent/bench/parity-pool-micro.sh [rounds (8)] [I/Os per thread (200000)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. array-agent/bench/engine-test-java.lib.sh
uptime
engine_test_java io.strata.engine.pool.ParityPoolLockBench "$@"
uptime
