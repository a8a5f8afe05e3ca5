#!/usr/bin/env bash
# What mirroring the write-back flash cache costs (not a test): write IOPS of a write-back cache
# on one local SSD, on a mirror of two local SSDs, on a mirror of a local SSD and a remote one
# (the engine's own initiator and target in one JVM over loopback iSCSI), and on that mirror with
# the remote SSD lost (write-through). Runs io.strata.engine.bench.CacheMirrorBench from the
# engine's test classes and prints a Markdown table (docs/cache-and-tiering.md quotes one).
#
#   array-agent/bench/cache-mirror.sh [--seconds=10] [--threads=8] [--working-set-mib=32]
#
# About a minute with the defaults. Needs ~300 MiB free under /var/tmp.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
work="$(mktemp -d /var/tmp/strata-bench-cache-mirror.XXXXXX)"
trap 'rm -rf "$work"' EXIT

./mvnw -B -q -o -pl array-agent/engine -am test-compile
./mvnw -B -q -o -pl array-agent/engine dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="array-agent/engine/target/classes:array-agent/engine/target/test-classes:$(cat "$work/cp.txt")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx1g -cp "$cp" io.strata.engine.bench.CacheMirrorBench --dir="$work" "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
