#!/usr/bin/env bash
# The cost of watching (issue 19, point 7): the engine's IOPS and CPU time per I/O with its
# metrics on (per-volume counters, latency recorders and the stats file written every second,
# read every second by a stand-in for the agent — five times as often as the agent does) versus
# off (no stats file: the target is served uncounted), and the performance history's storage per
# 1,000 volumes per day, measured in PostgreSQL.
#
# Both engines run at once, each serving a file of the same size; every measure alternates
# between them, ROUNDS times (the order flips each round), so the machine's load hits both alike.
# CPU time per I/O is the engine process's utime+stime (/proc/PID/stat) over the measure divided
# by the I/Os done: unlike IOPS it does not depend on what else the machine runs.
# Writes docs/benchmarks/observability.md. Needs qemu-utils + qemu-block-extra (qemu-img's iscsi
# driver), psql, and the engine jar (./mvnw -B -pl array-agent/engine -am package -DskipTests).
#
#   array-agent/bench/observability.sh
#
# Environment: ROUNDS (5), COUNT (I/Os per measure, 100000), ON_PORT/OFF_PORT (3292/3293),
# REPORT; STRATA_DB_URL-style PG* variables for the storage part (default the local stack's
# PostgreSQL at 127.0.0.1:5433, user strata; a scratch database is made and dropped);
# SKIP_STORAGE=1 leaves that part out; PIN=1 pins both engines to core 1 and qemu-img (and the
# stats reader) to core 0 (taskset), so that the engine measured does not share its core with the
# load generator: the side-by-side runs without it varied by ±15 % between rounds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${ROUNDS:-5}"
count="${COUNT:-100000}"
on_port="${ON_PORT:-3292}"
off_port="${OFF_PORT:-3293}"
report="${REPORT:-$root/docs/benchmarks/observability.md}"
work="$(mktemp -d /var/tmp/strata-obs-bench.XXXXXX)"
size=1G
iqn=iqn.2026-12.io.strata:bench.obs
pids=()
engine_on=() client_on=()
if [[ "${PIN:-0}" == 1 ]]; then
  command -v taskset >/dev/null || { echo "missing taskset (util-linux)" >&2; exit 1; }
  engine_on=(taskset -c 1) client_on=(taskset -c 0)
fi

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in qemu-img psql; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

start_engine() { # name port [extra args]
  local name="$1" port="$2"; shift 2
  truncate -s "$size" "$work/$name.img"
  dd if=/dev/zero of="$work/$name.img" bs=1M count=256 conv=notrunc status=none
  "${engine_on[@]}" "$root/array-agent/bin/strata-engine" --portal "127.0.0.1:$port" --iqn "$iqn.$name" \
    --lun "0=$work/$name.img:$size" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  echo $! > "$work/$name.pid"
  for _ in $(seq 1 300); do grep -q ready "$work/$name.log" && return 0; sleep 0.2; done
  cat "$work/$name.log" >&2; exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One measure: prints "IOPS CPU-µs-per-I/O".
measure() { # name mode(read|write)
  local name="$1" mode="$2" port pid before after s flags=()
  port=$on_port; [[ $name == off ]] && port=$off_port
  pid=$(cat "$work/$name.pid")
  [[ $mode == write ]] && flags=(-w)
  before=$(cpu_ticks "$pid")
  s=$("${client_on[@]}" qemu-img bench -f raw "${flags[@]}" -c "$count" -d 32 -s 4096 -S 4096 \
      "iscsi://127.0.0.1:$port/$iqn.$name/0" 2>&1 | grep -o 'completed in [0-9.]*' | awk '{print $3}')
  after=$(cpu_ticks "$pid")
  awk -v s="$s" -v c="$count" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN{printf "%.0f %.2f", c/s, t/hz*1e6/c}'
}

start_engine on "$on_port" --stats "$work/on-stats.json"
start_engine off "$off_port"
# The agent reads each stats file every 5 s; this reads it every second.
( while sleep 1; do cat "$work/on-stats.json" > /dev/null 2>&1 || true; done ) &
pids+=($!)

load_start=$(cut -d' ' -f1 /proc/loadavg)
for name in on off; do # unmeasured warm-up: JIT, page cache, connections
  measure "$name" write > /dev/null
  measure "$name" read > /dev/null
done
: > "$work/figures"
for round in $(seq 1 "$rounds"); do
  for mode in read write; do
    if (( round % 2 )); then order="on off"; else order="off on"; fi
    for name in $order; do
      echo "$name $mode $(measure "$name" "$mode")" >> "$work/figures"
    done
  done
  echo "round $round of $rounds done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
load_end=$(cut -d' ' -f1 /proc/loadavg)

# shellcheck source=figures.lib.sh
source "$root/array-agent/bench/figures.lib.sh"
fig() { awk -v n="$1" -v m="$2" -v f="$3" '$1==n && $2==m {print $f}' "$work/figures" | median; }
# on/off within each round (the two runs sat next to each other in time), then the median.
round_ratio() {
  paste <(awk -v m="$1" -v f="$2" '$1=="on" && $2==m {print $f}' "$work/figures") \
        <(awk -v m="$1" -v f="$2" '$1=="off" && $2==m {print $f}' "$work/figures") |
    awk '$2 > 0 {print $1/$2}' | median | awk '{ if ($1 == "n/a") print; else printf "%.3f", $1 }'
}
all() { awk -v n="$1" -v m="$2" -v f="$3" '$1==n && $2==m {printf "%s%s", sep, $f; sep=", "}' "$work/figures"; }
row() {
  local label="$1" mode="$2"
  echo "| $label IOPS | $(fig on "$mode" 3) | $(fig off "$mode" 3) | $(round_ratio "$mode" 3) | $(all on "$mode" 3) / $(all off "$mode" 3) |"
  echo "| $label CPU µs per I/O | $(fig on "$mode" 4) | $(fig off "$mode" 4) | $(round_ratio "$mode" 4) | $(all on "$mode" 4) / $(all off "$mode" 4) |"
}

storage_section() {
  [[ "${SKIP_STORAGE:-0}" == 1 ]] && { echo "(storage part skipped: SKIP_STORAGE=1)"; return; }
  export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5433}" PGUSER="${PGUSER:-strata}" \
    PGPASSWORD="${PGPASSWORD:-strata}" PGDATABASE=postgres
  local db="strata_obs_bench_$$" volumes=100 samples=1440
  psql -qAtc "create database $db" > /dev/null
  # the table exactly as the control plane's migration makes it
  PGDATABASE=$db psql -qAt -v ON_ERROR_STOP=1 \
    -f "$root/control-plane/service/src/main/resources/db/migration/V16__performance_history.sql" > /dev/null
  # a day of one-minute samples for $volumes busy volumes (every figure set, as a busy volume sends)
  PGDATABASE=$db psql -qAt -v ON_ERROR_STOP=1 -c "
    insert into performance_sample
    select v.id, timestamptz '2026-12-01' + make_interval(mins => m), 60000 + m, 6000 + m, 245760000 + m,
           24576000 + m, null, null, null, null, 60, 800 + m % 100, 9000 + m % 1000, 500, 700, 2
    from (select gen_random_uuid() as id from generate_series(1, $volumes)) v, generate_series(1, $samples) m;" > /dev/null
  PGDATABASE=$db psql -qAt -v ON_ERROR_STOP=1 -c "vacuum analyze performance_sample" > /dev/null
  local bytes
  bytes=$(PGDATABASE=$db psql -qAtc "select pg_total_relation_size('performance_sample')")
  psql -qAtc "drop database $db" > /dev/null
  awk -v b="$bytes" -v v="$volumes" -v s="$samples" 'BEGIN{
    per_row = b / (v * s); per_vol_day = b / v;
    printf "%d busy volumes × %d one-minute samples = %d rows took %.1f MB (table, primary key and BRIN index, after VACUUM): %.0f bytes per row, **%.0f kB per busy volume per day**, **%.0f MB per 1,000 busy volumes per day** (%.1f GB kept at the default 14-day retention). An idle volume sends no row.\n",
      v, s, v * s, b / 1e6, per_row, per_vol_day / 1e3, per_vol_day * 1000 / 1e6, per_vol_day * 1000 * 14 / 1e9 }'
}
storage="$(storage_section)"

mkdir -p "$(dirname "$report")"
cat > "$report" <<MD
# Benchmark: the cost of watching (metrics and performance history on vs off)

Measured by \`array-agent/bench/observability.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(uname -r)).
**The machine was shared with other builds and benchmarks** (load average $load_start at the
start, $load_end at the end, on $(nproc) cores): absolute IOPS mean little; the on/off ratios
(both engines ran at once, measured alternately, $rounds rounds, order flipped every round)
and the CPU time per I/O are the figures to read. $( [[ "${PIN:-0}" == 1 ]] && echo "Pinned (PIN=1): both engines on core 1, qemu-img on core 0." )

- **on**: \`strata-engine --stats FILE\`: every read and write is counted per LUN (striped
  counters, an HdrHistogram recorder per LUN and direction, the in-flight count), the stats file
  is written every second with the per-volume latency buckets, and a reader reads it every
  second (the agent: every 5 s).
- **off**: no \`--stats\`: the SCSI target is served without the counting wrapper.

Each measure is \`qemu-img bench -f raw -c $count -d 32 -s 4096 -S 4096\` (4 KiB, depth 32) on
\`iscsi://127.0.0.1:PORT/IQN/0\`, a 1 GiB file-backed LUN per engine. CPU µs per I/O: the engine
process's utime+stime from \`/proc/PID/stat\` during the measure, divided by the I/Os.

| measure | on (median) | off (median) | on/off (median of per-round ratios) | rounds (on / off) |
| --- | ---: | ---: | ---: | --- |
$(row "4 KiB read, depth 32" read)
$(row "4 KiB write, depth 32" write)

Target (issue 19): at most 3 % loss, i.e. an IOPS ratio ≥ 0.97 and a CPU-per-I/O ratio ≤ 1.03.

## Performance history storage

$storage
MD
cat "$report"
