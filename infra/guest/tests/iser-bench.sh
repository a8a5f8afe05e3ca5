#!/usr/bin/env bash
# Benchmark (not a test): the Strata engine and tgtd, each over iSER and TCP, in one QEMU guest
# with Soft-RoCE, the same fio jobs against each; prints a Markdown table of the figures and
# ratios. Figures measured under TCG emulation and software RDMA: compare them with each other
# only, never with hardware.
#   infra/guest/tests/iser-bench.sh [RUNTIME_SECONDS]   (default 20 per job)
# Build first: ./mvnw -B -pl array-agent/engine -am package -DskipTests
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
RUNTIME=${1:-20}
say() { printf '[iser-bench] %s\n' "$*" >&2; }

jar=$ROOT/array-agent/engine/target/strata-engine.jar
lib=$ROOT/array-agent/iser-native/target/native/libdisni.so
[ -f "$jar" ] && [ -f "$lib" ] || { say "build the engine and libdisni first"; exit 2; }

WORK=${STRATA_ISER_WORK:-$(mktemp -d /tmp/strata-iser-bench.XXXXXX)}
SHARE=$WORK/share
mkdir -p "$SHARE/engine" "$SHARE/native"
cp "$jar" "$SHARE/engine/"
cp -r "$ROOT/array-agent/engine/target/lib" "$SHARE/engine/"
cp "$lib" "$SHARE/native/"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$SECONDS
"$ROOT/infra/guest/run-guest.sh" "$ROOT/infra/guest/tests/iser-bench.guest.sh" "$SHARE" \
  "$RUNTIME" >"$WORK/guest.log" 2>&1 || { grep -E "^GUEST-" "$WORK/guest.log" >&2; exit 1; }
grep -E "^GUEST-" "$WORK/guest.log" >&2
say "guest wall time $((SECONDS - start)) s; host load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$SHARE" <<'PY'
import json, sys, os
share = sys.argv[1]
targets = ["engine-iser", "engine-tcp", "tgt-iser", "tgt-tcp"]
def job(t, j):
    with open(os.path.join(share, f"fio-{t}-{j}.json")) as f:
        return json.load(f)["jobs"][0]
rows = {}
for t in targets:
    r = job(t, "rand4k"); s = job(t, "seq256k")
    rows[t] = {
        "r_iops": r["read"]["iops"], "w_iops": r["write"]["iops"],
        "r_lat": r["read"]["clat_ns"]["mean"] / 1e3,
        "seq_mib": s["read"]["bw"] / 1024,
    }
print("| target | 4k randrw 70/30 qd32: read IOPS | write IOPS | mean read latency (us) | 256k seq read qd8 (MiB/s) |")
print("| --- | ---: | ---: | ---: | ---: |")
for t in targets:
    x = rows[t]
    print(f"| {t} | {x['r_iops']:.0f} | {x['w_iops']:.0f} | {x['r_lat']:.0f} | {x['seq_mib']:.1f} |")
print()
def ratio(a, b, k): return rows[a][k] / rows[b][k] if rows[b][k] else float("nan")
print("| ratio | 4k read IOPS | 256k read MiB/s |")
print("| --- | ---: | ---: |")
for a, b in [("engine-iser", "engine-tcp"), ("tgt-iser", "tgt-tcp"),
             ("engine-iser", "tgt-iser"), ("engine-tcp", "tgt-tcp")]:
    print(f"| {a} / {b} | {ratio(a, b, 'r_iops'):.2f} | {ratio(a, b, 'seq_mib'):.2f} |")
PY
