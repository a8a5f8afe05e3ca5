#!/usr/bin/env bash
# Flash cache and tiering benchmark (not a test): replays a skewed workload (Zipf theta 1.2,
# 90% reads, 4 KiB, working set = the whole volume, larger than the SSD) against a file throttled
# to HDD-like latency, bare, behind the flash cache (SSD = 20% of the working set) and tiered.
# Runs io.strata.engine.bench.CacheTieringBench from the engine's test classes in-process (no
# iSCSI: the figures are the block stack's own) and writes docs/benchmarks/cache-and-tiering.md.
#
#   array-agent/bench/cache-and-tiering.sh [--key=value ...]
#
# Keys (defaults): volume-mib=512 ssd-fraction=0.2 threads=16 theta=1.2 read-fraction=0.9
#   io-bytes=4096 seek-ms=6 seq-mbps=150 bare-seconds=20 warm-seconds=60 measure-seconds=20
#   tier-seconds=90 (0 skips tiering) line-kib=64 (cache line size)
# About 4-5 minutes with the defaults. Needs ~1.5 GiB free under dir.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
work="$(mktemp -d /var/tmp/strata-bench-cache.XXXXXX)"
report="$root/docs/benchmarks/cache-and-tiering.md"
trap 'rm -rf "$work"' EXIT

./mvnw -B -q -o -pl array-agent/engine -am test-compile
./mvnw -B -q -o -pl array-agent/engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="array-agent/engine/target/classes:array-agent/engine/target/test-classes:$(cat "$work/cp.txt")"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%MZ)"
java -Xmx2g -cp "$cp" io.strata.engine.bench.CacheTieringBench --dir="$work" "$@" > "$work/result.md"
# A second cache run with 16 KiB lines shows how line size meets a workload without locality.
if [[ "${SKIP_SMALL_LINES:-}" != 1 ]]; then
  echo "## Second run: the same cache with 16 KiB lines (tiering not repeated)" >> "$work/result.md"
  echo >> "$work/result.md"
  java -Xmx2g -cp "$cp" io.strata.engine.bench.CacheTieringBench --dir="$work" "$@" \
    --line-kib=16 --tier-seconds=0 | sed -e '1,/^## Bare HDD/{/^## Bare HDD/!d}' -e 's/^## /### /' >> "$work/result.md"
fi
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

{
  echo "# Flash cache and tiering benchmark"
  echo
  echo "Written by \`array-agent/bench/cache-and-tiering.sh $*\` on $started: $(nproc) cores,"
  echo "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(java -version 2>&1 | head -1)."
  echo "Load average (1/5/15 min) before: $load_before; after: $load_after. The machine is shared"
  echo "with other builds, so the absolute figures are noisy; the HDD is a model (see below), so"
  echo "the ratios are what matter."
  echo
  echo "How the HDD is modelled (\`drive.HddThrottle\`, the model the engine's HDD emulation uses): one actuator"
  echo "serves one request at a time in arrival order; a request that does not start where the"
  echo "previous one ended pays a positioning time (seek + half a rotation) before its transfer at"
  echo "the sequential rate; a flush after writes costs one positioning time. The SSD is a file with"
  echo "80 us per I/O and no queueing. Both are files on the host's disk (page cache), so the"
  echo "modelled times dominate."
  echo
  cat "$work/result.md"
} > "$report"
cat "$report"
