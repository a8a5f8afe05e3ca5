# Shared by the benchmarks that serve a file over iSCSI from the engine and from tgt and drive
# them with libiscsi's tools (source it; needs $root = the repository's root).

# A file of SIZE, fully written so that no target reads holes (and, just written, page-cached).
prepare_file() {
  local file="$1" size="$2"
  truncate -s "$size" "$file"
  dd if=/dev/zero of="$file" bs=1M count=$(( $(numfmt --from=iec "$size") / 1048576 )) conv=notrunc \
    status=none
}

# start_engine PORT IQN FILE SIZE LOG [JAVA_OPTS] [JAR]: one engine with FILE as LUN 0, in the
# background; waits for "ready" and sets started_pid to the engine's JVM (strata-engine execs it).
# JAVA_OPTS replace the script's default JVM options (STRATA_ENGINE_JAVA_OPTS); JAR runs another
# build (STRATA_ENGINE_JAR).
start_engine() {
  local port="$1" iqn="$2" file="$3" size="$4" log="$5" opts="${6:-}" jar="${7:-}"
  [[ -f "$file" ]] || prepare_file "$file" "$size"
  STRATA_ENGINE_JAVA_OPTS="${opts:-${STRATA_ENGINE_JAVA_OPTS:-}}" \
    STRATA_ENGINE_JAR="${jar:-${STRATA_ENGINE_JAR:-}}" \
    "$root/array-agent/bin/strata-engine" --portal "127.0.0.1:$port" --iqn "$iqn" \
    --lun "0=$file:$size" > "$log" 2>&1 &
  started_pid=$!
  for _ in $(seq 1 150); do grep -q ready "$log" && return 0; sleep 0.2; done
  cat "$log" >&2
  return 1
}

# start_tgt PORT CONTROL_PORT IQN FILE SIZE LOG: tgtd with FILE as LUN 1; sets started_pid.
start_tgt() {
  local port="$1" control="$2" iqn="$3" file="$4" size="$5" log="$6"
  [[ -f "$file" ]] || prepare_file "$file" "$size"
  tgtd -f -C "$control" --iscsi "portal=127.0.0.1:$port" > "$log" 2>&1 &
  started_pid=$!
  sleep 1
  tgtadm -C "$control" --lld iscsi --op new --mode target --tid 1 -T "$iqn"
  tgtadm -C "$control" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$file"
  tgtadm -C "$control" --lld iscsi --op bind --mode target --tid 1 -I ALL
}

# The CPU time (user + system, all threads) process PID has used so far, in clock ticks.
cpu_ticks() {
  # Fields 14 and 15 of /proc/PID/stat; counted after the ")" that ends the command name.
  cut -d')' -f2- "/proc/$1/stat" | awk '{print $12 + $13}'
}
