#!/usr/bin/env bash
# CPU time per I/O of the engine over iSCSI/TCP, next to its IOPS, with tgt as the reference in
# the same run (issue 21, point 0). The figure is the target process's CPU time (utime + stime of
# all its threads, /proc/PID/stat) over a measuring window divided by the I/Os completed in it:
# it is far less disturbed by other load on the machine than IOPS or latency are.
#
#   array-agent/bench/iscsi-cpu-per-io.sh [SECONDS_PER_RUN]
#
# Targets, all running at once, each on its own page-cached SIZE file over 127.0.0.1:
#   engine        the engine as array-agent/bin/strata-engine starts it (its default JVM options)
#   engine-agent  the engine with the JVM options the agent's EngineLauncher gives it
#   tgt           tgtd
#   base, base-agent  the same two for BASE_JAR, another build, when it is given (A/B runs)
# Measures, in every round, target after target (the order rotates every round, so a change in
# the machine's load hits all alike):
#   rr  4 KiB random reads at depth 32: `iscsi-perf -m 32 -b 8 -r`; the window is SECONDS_PER_RUN
#       after a 2 s lead-in, its I/Os from iscsi-perf's running count
#   rw  4 KiB writes at depth 32: `qemu-img bench -w -d 32 -s 4096` with a stride of 100003
#       blocks, so that consecutive writes land far apart (a scattered, not sequential, pattern;
#       qemu-img bench has no random mode and iscsi-perf does not write), WRITES of them
# Prints a Markdown table (medians of the rounds, and every round) and the load average.
#
# Environment: ROUNDS (3), SIZE (1G), WRITES (200000), ENGINE_JAR (default: the built
# array-agent/engine/target/strata-engine.jar), BASE_JAR, AGENT_HEAP_MIB (512: what the agent
# gives an engine of 2 GiB or more), ENGINE_EXTRA_OPTS (added to every engine's JVM options, e.g.
# a JFR recording), BASE_EXTRA_OPTS (added to the base engines' only: with BASE_JAR set to the same
# jar, an A/B of a JVM option or system property in one run), PORT_BASE (3390), KEEP_FILES_IN (a directory to reuse the data files from).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=iscsi-targets.lib.sh
source "$root/array-agent/bench/iscsi-targets.lib.sh"
# shellcheck source=figures.lib.sh
source "$root/array-agent/bench/figures.lib.sh"

seconds="${1:-10}"
rounds="${ROUNDS:-3}"
size="${SIZE:-1G}"
writes="${WRITES:-200000}"
engine_jar="${ENGINE_JAR:-$root/array-agent/engine/target/strata-engine.jar}"
base_jar="${BASE_JAR:-}"
port_base="${PORT_BASE:-3390}"
work="$(mktemp -d /var/tmp/strata-cpu-bench.XXXXXX)"
files="${KEEP_FILES_IN:-$work}"
hz=$(getconf CLK_TCK)
# The options of the engine script and of the agent's EngineLauncher (keep in step with both).
standalone_opts="-Xms256m -Xmx1g -XX:+UseParallelGC"
agent_opts="-Xmx${AGENT_HEAP_MIB:-512}m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dstrata.engine.array=bench"
extra="${ENGINE_EXTRA_OPTS:-}"
base_extra="${BASE_EXTRA_OPTS:-}"
declare -A pid url
names=()

cleanup() {
  local name
  for name in "${names[@]}"; do
    # tgtd ignores SIGTERM while it has targets; it holds nothing we need after the run.
    if [[ $name == tgt ]]; then kill -KILL "${pid[$name]}" 2>/dev/null || true
    else kill -TERM "${pid[$name]}" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in tgtd tgtadm iscsi-perf qemu-img stdbuf; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done

add_engine() {
  local name="$1" opts="$2" jar="$3" port=$((port_base + ${#names[@]}))
  local iqn="iqn.2026-12.io.strata:cpu.${name}"
  start_engine "$port" "$iqn" "$files/$name.img" "$size" "$work/$name.log" "$opts $extra" "$jar" ||
    exit 1
  pid[$name]=$started_pid
  url[$name]="iscsi://127.0.0.1:$port/$iqn/0"
  names+=("$name")
}

add_tgt() {
  local port=$((port_base + ${#names[@]})) iqn=iqn.2026-12.io.strata:cpu.tgt
  start_tgt "$port" $((port + 4000)) "$iqn" "$files/tgt.img" "$size" "$work/tgt.log"
  pid[tgt]=$started_pid
  url[tgt]="iscsi://127.0.0.1:$port/$iqn/1"
  names+=(tgt)
}

# random_reads NAME: "IOPS µs-per-I/O" over a window of $seconds after a 2 s lead-in.
random_reads() {
  local name="$1" line secs avg ticks from_s="" from_ios=0 from_ticks=0 result=""
  coproc PERF { exec stdbuf -o0 iscsi-perf -m 32 -b 8 -r "${url[$name]}" 2>&1; }
  local perf_pid=$PERF_PID
  # Its progress line, once a second: "HH:MM:SS - lba N, iops current N (...), iops average N (...)".
  while IFS= read -r -d $'\r' line <&"${PERF[0]}"; do
    [[ $line =~ ([0-9]+):([0-9]+):([0-9]+)\ -.*iops\ average\ ([0-9]+) ]] || continue
    secs=$((10#${BASH_REMATCH[1]} * 3600 + 10#${BASH_REMATCH[2]} * 60 + 10#${BASH_REMATCH[3]}))
    avg=${BASH_REMATCH[4]}
    ticks=$(cpu_ticks "${pid[$name]}")
    if [[ -z $from_s ]]; then
      if ((secs >= 2)); then from_s=$secs from_ios=$((avg * secs)) from_ticks=$ticks; fi
    elif ((secs - from_s >= seconds)); then
      result=$(awk -v n=$((avg * secs - from_ios)) -v t=$((ticks - from_ticks)) -v s=$((secs - from_s)) \
        -v hz="$hz" 'BEGIN{ if (n > 0) printf "%.0f %.1f", n / s, t / hz * 1e6 / n; else print "0 n/a" }')
      break
    fi
  done
  kill -INT "$perf_pid" 2>/dev/null || true
  wait "$perf_pid" 2>/dev/null || true
  echo "${result:-0 n/a}"
}

# scattered_writes NAME: "IOPS µs-per-I/O" over $writes writes.
scattered_writes() {
  local name="$1" before after s
  before=$(cpu_ticks "${pid[$name]}")
  s=$(qemu-img bench -f raw -w -c "$writes" -d 32 -s 4096 -S $((4096 * 100003)) "${url[$name]}" 2>&1 |
    grep -o 'completed in [0-9.]*' | awk '{print $3}')
  after=$(cpu_ticks "${pid[$name]}")
  awk -v n="$writes" -v s="$s" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN{ if (s > 0) printf "%.0f %.1f", n / s, t / hz * 1e6 / n; else print "0 n/a" }'
}

warm_up() {
  # Not measured: page cache, connections and the JIT (C1-only under the agent's options).
  local name="$1"
  timeout -s INT 8 iscsi-perf -m 32 -b 8 -r "${url[$name]}" > /dev/null 2>&1 || true
  qemu-img bench -f raw -w -c 100000 -d 32 -s 4096 -S $((4096 * 100003)) "${url[$name]}" > /dev/null 2>&1
}

add_engine engine "$standalone_opts" "$engine_jar"
add_engine engine-agent "$agent_opts" "$engine_jar"
if [[ -n $base_jar ]]; then
  add_engine base "$standalone_opts $base_extra" "$base_jar"
  add_engine base-agent "$agent_opts $base_extra" "$base_jar"
fi
add_tgt
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for name in "${names[@]}"; do warm_up "$name"; done
: > "$work/figures"
count=${#names[@]}
for round in $(seq 1 "$rounds"); do
  for what in rr rw; do
    for i in $(seq 0 $((count - 1))); do
      name=${names[$(((i + round) % count))]}
      case $what in
        rr) echo "$name rr $(random_reads "$name")" >> "$work/figures" ;;
        rw) echo "$name rw $(scattered_writes "$name")" >> "$work/figures" ;;
      esac
    done
  done
  echo "round $round of $rounds done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# fig NAME MEASURE COLUMN: the median over the rounds (column 3 IOPS, 4 µs per I/O)
fig() { awk -v w="$1" -v m="$2" -v c="$3" '$1==w && $2==m && $c != "n/a" {print $c}' "$work/figures" | median; }
all() { awk -v w="$1" -v m="$2" -v c="$3" '$1==w && $2==m {printf "%s%s", sep, $c; sep=", "}' "$work/figures"; }

echo
echo "Measured by \`array-agent/bench/iscsi-cpu-per-io.sh $seconds\` on $(date -u '+%Y-%m-%d %H:%M') UTC"
echo "($(nproc) cores, $(uname -r), JDK $(java -version 2>&1 | head -1 | cut -d'"' -f2), $rounds rounds,"
echo "$size page-cached file per target, $writes writes per write run); load average (1, 5, 15 min)"
echo "$load_start at the start, $load_end at the end."
echo
echo "| target | JVM options | 4 KiB random read IOPS | CPU µs/read | 4 KiB write IOPS | CPU µs/write | rounds: µs/read; µs/write |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"
for name in "${names[@]}"; do
  case $name in
    engine) opts="script: \`$standalone_opts\`" ;;
    engine-agent) opts="agent: \`$agent_opts\`" ;;
    base) opts="script: \`$standalone_opts $base_extra\`" ;;
    base-agent) opts="agent: \`$agent_opts $base_extra\`" ;;
    *) opts="—" ;;
  esac
  echo "| $name | $opts | $(fig "$name" rr 3) | $(fig "$name" rr 4) | $(fig "$name" rw 3) | $(fig "$name" rw 4) | $(all "$name" rr 4); $(all "$name" rw 4) |"
done
