#!/usr/bin/env bash
# Compares the Strata engine with tgtd on one machine: same LUN size, same file system, same
# external tools (libiscsi's iscsi-perf, qemu-img bench). Both targets run at once and every
# measure alternates between them, ROUNDS times (the order flips each round), so a change in
# the machine's load hits both alike; the report gives the median of each.
# Writes docs/benchmarks/iscsi.md. Needs: tgt, libiscsi-bin, qemu-utils + qemu-block-extra
# (qemu-img's iscsi driver), and the engine jar (./mvnw -B -pl array-agent/engine -am package -DskipTests).
#
#   array-agent/bench/iscsi-vs-tgt.sh [SECONDS_PER_RUN]
#
# Environment: ROUNDS (default 3); ENGINE_PORT, TGT_PORT, TGT_CONTROL_PORT (3290, 3291, 7291);
# REPORT (default docs/benchmarks/iscsi.md); STRATA_ENGINE_JAR / STRATA_ENGINE_JAVA_OPTS are
# passed to array-agent/bin/strata-engine. For equal treatment under load, run the whole script
# under one `nice` (both targets and the tools inherit it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-10}"
rounds="${ROUNDS:-3}"
work="$(mktemp -d /var/tmp/strata-bench.XXXXXX)"
size=2G
engine_port="${ENGINE_PORT:-3290}"
tgt_port="${TGT_PORT:-3291}"
tgt_control="${TGT_CONTROL_PORT:-7291}"
iqn_engine=iqn.2026-11.io.strata:bench.engine
iqn_tgt=iqn.2026-11.io.strata:bench.tgt
report="${REPORT:-$root/docs/benchmarks/iscsi.md}"
engine_pid=""
tgt_pid=""

cleanup() {
  [[ -n "$engine_pid" ]] && kill -TERM "$engine_pid" 2>/dev/null || true
  # tgtd ignores SIGTERM while it has targets; it holds nothing we need after the run.
  [[ -n "$tgt_pid" ]] && kill -KILL "$tgt_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in tgtd tgtadm iscsi-perf qemu-img; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

# shellcheck source=iscsi-targets.lib.sh
source "$root/array-agent/bench/iscsi-targets.lib.sh"

# Both targets get a file of the same size, fully written first so neither reads holes.
start_engine_for_comparison() {
  prepare_file "$work/engine.img" "$size"
  start_engine "$engine_port" "$iqn_engine" "$work/engine.img" "$size" "$work/engine.log" || exit 1
  engine_pid=$started_pid
}

start_tgt_for_comparison() {
  prepare_file "$work/tgt.img" "$size"
  start_tgt "$tgt_port" "$tgt_control" "$iqn_tgt" "$work/tgt.img" "$size" "$work/tgt.log"
  tgt_pid=$started_pid
}

# iscsi-perf runs until interrupted; its last "iops average" is the figure.
random_read_iops() {
  timeout -s INT "$seconds" iscsi-perf -m 32 -b 8 -r "$1" > "$work/perf.txt" 2>&1 || true
  tr '\r' '\n' < "$work/perf.txt" | grep -o 'iops average [0-9]*' | tail -1 | awk '{print $3}'
}

# qemu-img bench prints "Run completed in S seconds."; the rest is arithmetic.
bench_seconds() {
  qemu-img bench -f raw "$@" 2>&1 | grep -o 'completed in [0-9.]*' | awk '{print $3}'
}

# One measure against one target: prints its figure.
measure() {
  local what="$1" url="$2" s
  case "$what" in
    rr) random_read_iops "$url" ;;
    wr) s=$(bench_seconds -w -c 100000 -d 32 -s 4096 -S 4096 "$url")
        awk -v s="$s" 'BEGIN{printf "%.0f", 100000/s}' ;;
    seq) s=$(bench_seconds -c 8000 -d 32 -s 131072 "$url")
         awk -v s="$s" 'BEGIN{printf "%.0f", 8000*131072/1048576/s}' ;;
    lat) s=$(bench_seconds -c 10000 -d 1 -s 4096 -S 4096 "$url")
         awk -v s="$s" 'BEGIN{printf "%.1f", s/10000*1e6}' ;;
  esac
}

warm_up() {
  # Not measured: page cache, connection set-up and (for the engine) the JIT, which on a
  # loaded machine needs more than a few seconds before the first round is representative.
  timeout -s INT "$seconds" iscsi-perf -m 32 -b 8 -r "$1" > /dev/null 2>&1 || true
  bench_seconds -w -c 50000 -d 32 -s 4096 -S 4096 "$1" > /dev/null
  bench_seconds -c 2000 -d 32 -s 131072 "$1" > /dev/null
}

# shellcheck source=figures.lib.sh
source "$root/array-agent/bench/figures.lib.sh"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
# "met (R×)" or "NOT met (R×)" for engine figure $1 against tgt figure $2, threshold $3, ge|le.
verdict() {
  awk -v a="$1" -v b="$2" -v t="$3" -v op="$4" 'BEGIN{ if (b <= 0) { print "no figure"; exit }
    r = a / b; ok = (op == "ge") ? (r >= t) : (r <= t); printf "%s (%.2f×)", ok ? "met" : "NOT met", r }'
}

engine_url="iscsi://127.0.0.1:$engine_port/$iqn_engine/0"
tgt_url="iscsi://127.0.0.1:$tgt_port/$iqn_tgt/1"
start_engine_for_comparison
start_tgt_for_comparison
load_start=$(cut -d' ' -f1 /proc/loadavg)
warm_up "$engine_url"
warm_up "$tgt_url"
: > "$work/figures"
for round in $(seq 1 "$rounds"); do
  for what in rr wr seq lat; do
    if (( round % 2 )); then order="engine tgt"; else order="tgt engine"; fi
    for who in $order; do
      url=$engine_url; [[ $who == tgt ]] && url=$tgt_url
      echo "$who $what $(measure "$what" "$url")" >> "$work/figures"
    done
  done
  echo "round $round of $rounds done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
load_end=$(cut -d' ' -f1 /proc/loadavg)

fig() { awk -v w="$1" -v m="$2" '$1==w && $2==m {print $3}' "$work/figures" | median; }
# The ratio within each round (the two runs sat next to each other in time), then their median.
round_ratio() {
  paste <(awk -v m="$1" '$1=="engine" && $2==m {print $3}' "$work/figures") \
        <(awk -v m="$1" '$1=="tgt" && $2==m {print $3}' "$work/figures") |
    awk '$2 > 0 {print $1/$2}' | median | awk '{ if ($1 == "n/a") print; else printf "%.2f", $1 }'
}
all() { awk -v w="$1" -v m="$2" '$1==w && $2==m {printf "%s%s", sep, $3; sep=", "}' "$work/figures"; }
row() {
  local label="$1" tool="$2" what="$3" e t
  e=$(fig engine "$what"); t=$(fig tgt "$what")
  echo "| $label | $tool | $e | $t | $(ratio "$e" "$t") | $(round_ratio "$what") | $(all engine "$what") / $(all tgt "$what") |"
}

mkdir -p "$(dirname "$report")"
# The "CPU per I/O" section (iscsi-cpu-per-io.sh, written by hand from its output) stays.
kept="$work/kept.md"
if [[ -f "$report" ]]; then sed -n '/^## CPU per I\/O/,$p' "$report" > "$kept"; else : > "$kept"; fi
cat > "$report" <<MD
# iSCSI target benchmark: Strata engine vs tgt

Measured by \`array-agent/bench/iscsi-vs-tgt.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores,
$(uname -r), $(tgtd --version 2>/dev/null | head -1 || echo tgt), libiscsi $(dpkg-query -W -f '${Version}' libiscsi-bin 2>/dev/null || echo '?')).
Both targets serve a $size file on the same file system over 127.0.0.1 and run at the same time;
each measure alternates between them, $rounds rounds (order flipped every round), after an
unmeasured warm-up of each. Figures are medians of the rounds, and the ratio column divides
those; the next column takes the ratio within each round first (the two runs of a round sat
next to each other in time) and gives their median; the last column lists every round.
Priority: nice $(ps -o ni= $$ | tr -d ' ') for the whole run (both targets and the tools alike).
Load average $load_start at the start, $load_end at the end (on 2 cores, anything above ~2 means
other work shared the machine and slowed both targets); treat differences under ~20% as noise.

| measure | tool | engine | tgt | engine/tgt | median of per-round ratios | rounds (engine / tgt) |
| --- | --- | ---: | ---: | ---: | ---: | --- |
$(row "4 KiB random read, depth 32 (IOPS)" "\`iscsi-perf -m 32 -b 8 -r\`, ${seconds}s" rr)
$(row "4 KiB write, depth 32 (IOPS)" "\`qemu-img bench -w -d 32 -s 4096\`, 100000 writes" wr)
$(row "128 KiB sequential read, depth 32 (MiB/s)" "\`qemu-img bench -d 32 -s 128k\`, 8000 reads" seq)
$(row "4 KiB read latency, depth 1 (µs, lower is better)" "\`qemu-img bench -d 1 -s 4096\`, 10000 reads" lat)

Targets in issue 3: at least 1.5× tgt's IOPS at depth 32 for reads and writes, 1.2× its 128 KiB
throughput, and no worse latency at depth 1. In this run (medians):

- random read ≥ 1.5×: $(verdict "$(fig engine rr)" "$(fig tgt rr)" 1.5 ge)
- write ≥ 1.5×: $(verdict "$(fig engine wr)" "$(fig tgt wr)" 1.5 ge)
- 128 KiB throughput ≥ 1.2×: $(verdict "$(fig engine seq)" "$(fig tgt seq)" 1.2 ge)
- depth-1 latency ≤ 1.0×: $(verdict "$(fig engine lat)" "$(fig tgt lat)" 1.0 le)
MD
if [[ -s "$kept" ]]; then { echo; cat "$kept"; } >> "$report"; fi
cat "$report"
