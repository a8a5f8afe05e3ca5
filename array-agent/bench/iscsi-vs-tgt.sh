#!/usr/bin/env bash
# Compares the Strata engine with tgtd on one machine: same LUN size, same file system, same
# external tools (libiscsi's iscsi-perf, qemu-img bench), one after the other.
# Writes docs/benchmarks/iscsi.md. Needs: tgt, libiscsi-bin, qemu-utils + qemu-block-extra
# (qemu-img's iscsi driver), and the engine jar (./mvnw -B -pl array-agent/engine -am package -DskipTests).
#
#   array-agent/bench/iscsi-vs-tgt.sh [SECONDS_PER_RUN]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
seconds="${1:-10}"
work="$(mktemp -d /var/tmp/strata-bench.XXXXXX)"
size=2G
engine_port=3290
tgt_port=3291
tgt_control=7291
iqn_engine=iqn.2026-11.io.strata:bench.engine
iqn_tgt=iqn.2026-11.io.strata:bench.tgt
report="$root/docs/benchmarks/iscsi.md"
load_at_start="$(cut -d' ' -f1 /proc/loadavg)"
engine_pid=""
tgt_pid=""

cleanup() {
  [[ -n "$engine_pid" ]] && kill -TERM "$engine_pid" 2>/dev/null || true
  [[ -n "$tgt_pid" ]] && kill -KILL "$tgt_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in tgtd tgtadm iscsi-perf qemu-img; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

# Both targets get a file of the same size, fully written first so neither reads holes.
prepare_file() {
  truncate -s "$size" "$1"
  dd if=/dev/zero of="$1" bs=1M count=$(( $(numfmt --from=iec "$size") / 1048576 )) conv=notrunc status=none
}

start_engine() {
  prepare_file "$work/engine.img"
  "$root/array-agent/bin/strata-engine" --portal "127.0.0.1:$engine_port" --iqn "$iqn_engine" \
    --lun "0=$work/engine.img:$size" > "$work/engine.log" 2>&1 &
  engine_pid=$!
  for _ in $(seq 1 100); do grep -q ready "$work/engine.log" && return 0; sleep 0.2; done
  cat "$work/engine.log" >&2; exit 1
}

start_tgt() {
  prepare_file "$work/tgt.img"
  tgtd -f -C "$tgt_control" --iscsi "portal=127.0.0.1:$tgt_port" > "$work/tgt.log" 2>&1 &
  tgt_pid=$!
  sleep 1
  tgtadm -C "$tgt_control" --lld iscsi --op new --mode target --tid 1 -T "$iqn_tgt"
  tgtadm -C "$tgt_control" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$work/tgt.img"
  tgtadm -C "$tgt_control" --lld iscsi --op bind --mode target --tid 1 -I ALL
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

measure() {
  local url="$1" name="$2"
  local rr wr_s seq_s lat_s
  # Warm-up, not measured: page cache, connection set-up and (for the engine) the JIT.
  timeout -s INT 5 iscsi-perf -m 32 -b 8 -r "$url" > /dev/null 2>&1 || true
  bench_seconds -w -c 20000 -d 32 -s 4096 -S 4096 "$url" > /dev/null
  rr=$(random_read_iops "$url")
  wr_s=$(bench_seconds -w -c 100000 -d 32 -s 4096 -S 4096 "$url")
  seq_s=$(bench_seconds -c 8000 -d 32 -s 131072 "$url")
  lat_s=$(bench_seconds -c 10000 -d 1 -s 4096 -S 4096 "$url")
  echo "$name $rr $(awk -v s="$wr_s" 'BEGIN{printf "%.0f", 100000/s}') \
$(awk -v s="$seq_s" 'BEGIN{printf "%.0f", 8000*131072/1048576/s}') \
$(awk -v s="$lat_s" 'BEGIN{printf "%.1f", s/10000*1e6}')"
}

start_engine
engine_row=$(measure "iscsi://127.0.0.1:$engine_port/$iqn_engine/0" engine)
kill -TERM "$engine_pid"; wait "$engine_pid" 2>/dev/null || true; engine_pid=""

start_tgt
tgt_row=$(measure "iscsi://127.0.0.1:$tgt_port/$iqn_tgt/1" tgt)
# tgtd ignores SIGTERM while it has targets; it holds nothing we need after the run.
kill -KILL "$tgt_pid"; wait "$tgt_pid" 2>/dev/null || true; tgt_pid=""

read -r _ e_rr e_wr e_seq e_lat <<< "$engine_row"
read -r _ t_rr t_wr t_seq t_lat <<< "$tgt_row"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

verdict() {
  awk -v a="$1" -v b="$2" -v t="$3" -v op="$4" 'BEGIN{ if (b <= 0) { print "no figure"; exit }
    r = a / b; ok = (op == "ge") ? (r >= t) : (r <= t); printf "%s (%.2f×)", ok ? "met" : "NOT met", r }'
}

mkdir -p "$(dirname "$report")"
cat > "$report" <<MD
# iSCSI target benchmark: Strata engine vs tgt

Measured by \`array-agent/bench/iscsi-vs-tgt.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores,
$(uname -r), $(tgtd --version 2>/dev/null | head -1 || echo tgt) , libiscsi $(dpkg-query -W -f '${Version}' libiscsi-bin 2>/dev/null || echo '?')).
Both targets serve a $size file on the same file system over 127.0.0.1, one after the other,
measured with the same tools after an unmeasured warm-up of each. Figures are from one run.
Load average: $load_at_start at the start, $(cut -d' ' -f1 /proc/loadavg) at the end (on 2 cores, anything above ~2
means other work shared the machine and both targets were slowed); treat differences under ~20%
as noise.

| measure | tool | engine | tgt | engine/tgt |
| --- | --- | ---: | ---: | ---: |
| 4 KiB random read, depth 32 (IOPS) | \`iscsi-perf -m 32 -b 8 -r\`, ${seconds}s | $e_rr | $t_rr | $(ratio "$e_rr" "$t_rr") |
| 4 KiB write, depth 32 (IOPS) | \`qemu-img bench -w -d 32 -s 4096\`, 100000 writes | $e_wr | $t_wr | $(ratio "$e_wr" "$t_wr") |
| 128 KiB sequential read, depth 32 (MiB/s) | \`qemu-img bench -d 32 -s 128k\`, 8000 reads | $e_seq | $t_seq | $(ratio "$e_seq" "$t_seq") |
| 4 KiB read latency, depth 1 (µs, lower is better) | \`qemu-img bench -d 1 -s 4096\`, 10000 reads | $e_lat | $t_lat | $(ratio "$e_lat" "$t_lat") |

Targets in issue 3: at least 1.5× tgt's IOPS at depth 32 for reads and writes, 1.2× its 128 KiB
throughput, and no worse latency at depth 1. In this run:

- random read ≥ 1.5×: $(verdict "$e_rr" "$t_rr" 1.5 ge)
- write ≥ 1.5×: $(verdict "$e_wr" "$t_wr" 1.5 ge)
- 128 KiB throughput ≥ 1.2×: $(verdict "$e_seq" "$t_seq" 1.2 ge)
- depth-1 latency ≤ 1.0×: $(verdict "$e_lat" "$t_lat" 1.0 le)
MD
cat "$report"
