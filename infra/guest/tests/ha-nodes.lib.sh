# Two "storage nodes" of one HA array on the host's loopback, each a drive export service and an
# engine, driven through the engines' own files (layout, exports, status) in the order the agents
# and the control plane use (docs/high-availability.md). Sourced by ha-failover.sh and by
# array-agent/bench/ha-write-iops.sh; the caller sets:
#   ROOT WORK IQN ENGINE_INITIATOR DRIVE_USER DRIVE_SECRET EPOCH REVISION
#   ENGINE_PORT_a ENGINE_PORT_b EXPORT_PORT_a EXPORT_PORT_b
#   REMOTE_PORT_a REMOTE_PORT_b  (the port another node reaches a node's export service at: the
#                                 export port itself, or a relay standing for the network)
#   INITIATORS_JSON              (the layout's "initiators" array)
#   NODE_DRIVES                  (names of each node's drives, e.g. "hdd ssd": files WORK/<node>/<name>.img)
#   POOL_JSON                    (the layout's "pools" array; drive names are "<name>-<node>")
#   VOLUME_SIZE                  (the one volume v0, LUN 0)
# and defines say() and die(). It defines free_ports for them too.

declare -A PID=()

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_ports() { # N: N distinct free ports on 127.0.0.1
  local candidate found=()
  while ((${#found[@]} < $1)); do
    candidate=$((20000 + RANDOM % 10000))
    port_free "$candidate" && [[ " ${found[*]} " != *" $candidate "* ]] && found+=("$candidate")
  done
  echo "${found[@]}"
}

other() { [ "$1" = a ] && echo b || echo a; }
group_of() { [ "$1" = a ] && echo 1 || echo 2; }
media_of() { case "$1" in ssd*) echo SSD ;; *) echo HDD ;; esac; }

write_exports() { # NODE
  local node=$1 name list=""
  REVISION=$((REVISION + 1))
  for name in $NODE_DRIVES; do
    [ -z "$list" ] || list+=","
    list+="{\"target\": \"iqn.2026-01.io.strata:drive.ha1-$name-$node\", \"path\": \"$WORK/$node/$name.img\",
      \"media\": \"$(media_of "$name")\", \"initiator\": \"$ENGINE_INITIATOR\", \"epoch\": $EPOCH,
      \"chap\": {\"user\": \"$DRIVE_USER\", \"secret\": \"$DRIVE_SECRET\"}}"
  done
  echo "{\"revision\": $REVISION, \"exports\": [$list]}" >"$WORK/$node/exports.json.tmp"
  mv "$WORK/$node/exports.json.tmp" "$WORK/$node/exports.json"
}

# drives_json NODE: every drive of both nodes as NODE's engine sees them (its own local, the
# other node's remote through REMOTE_PORT_<other>).
drives_json() {
  local node=$1 holder name list="" port_var throttle
  for holder in a b; do
    for name in $NODE_DRIVES; do
      [ -z "$list" ] || list+=", "
      throttle=""
      [ "$(media_of "$name")" = HDD ] && [ -n "${HDD_THROTTLE:-}" ] && throttle=", \"throttle\": $HDD_THROTTLE"
      if [ "$holder" = "$node" ]; then
        list+="{\"name\": \"$name-$holder\", \"path\": \"$WORK/$holder/$name.img\", \"media\": \"$(media_of "$name")\",
          \"size\": \"${DRIVE_SIZE:-2G}\"$throttle}"
      else
        port_var=REMOTE_PORT_$holder
        list+="{\"name\": \"$name-$holder\", \"media\": \"$(media_of "$name")\", \"size\": \"${DRIVE_SIZE:-2G}\", \"remote\": {\"portal\": \"127.0.0.1:${!port_var}\",
          \"target\": \"iqn.2026-01.io.strata:drive.ha1-$name-$holder\", \"initiator\": \"$ENGINE_INITIATOR\",
          \"chap\": {\"user\": \"$DRIVE_USER\", \"secret\": \"$DRIVE_SECRET\"}}}"
      fi
    done
  done
  echo "$list"
}

write_layout() { # NODE ROLE OUTDATED_NODE|-
  local node=$1 role=$2 outdated="" name
  if [ "$3" != - ]; then
    for name in $NODE_DRIVES; do
      [ -z "$outdated" ] || outdated+=", "
      outdated+="\"$name-$3\""
    done
  fi
  REVISION=$((REVISION + 1))
  cat >"$WORK/$node/layout.json.tmp" <<JSON
{"revision": $REVISION, "metadata": "meta",
 "initiators": $INITIATORS_JSON,
 "drives": [$(drives_json "$node")],
 "pools": $POOL_JSON,
 "volumes": [{"name": "v0", "pool": "p0", "size": "$VOLUME_SIZE"}],
 "luns": [{"lun": 0, "volume": "v0"}],
 "ha": {"role": "$role", "epoch": $EPOCH, "portGroup": $(group_of "$node"),
        "peerPortGroup": $(group_of "$(other "$node")"), "outdated": [$outdated]}}
JSON
  mv "$WORK/$node/layout.json.tmp" "$WORK/$node/layout.json"
}

wait_ready() { # NAME LOG PID
  local deadline=$((SECONDS + 120))
  until grep -q "strata-engine ready\|relay ready" "$2" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { tail -20 "$2" >&2; die "$1 exited at start"; }
    ((SECONDS < deadline)) || die "$1 was not ready after 120 s"
    sleep 0.3
  done
}

start_export() { # NODE
  local node=$1 port_var=EXPORT_PORT_$1 log=$WORK/$1/export.log
  : >"$log"
  "$ROOT/array-agent/bin/strata-engine" --exports "$WORK/$node/exports.json" \
    --portal "127.0.0.1:${!port_var}" --layout-status "$WORK/$node/exports-status.json" >>"$log" 2>&1 &
  PID[export-$node]=$!
  wait_ready "export service $node" "$log" "${PID[export-$node]}"
}

start_engine() { # NODE
  local node=$1 port_var=ENGINE_PORT_$1 log=$WORK/$1/engine.log
  : >"$log"
  "$ROOT/array-agent/bin/strata-engine" --iqn "$IQN" --portal "127.0.0.1:${!port_var}" \
    --layout "$WORK/$node/layout.json" --layout-status "$WORK/$node/status.json" >>"$log" 2>&1 &
  PID[engine-$node]=$!
  wait_ready "engine $node" "$log" "${PID[engine-$node]}"
}

kill_node() { # NODE: SIGKILL of everything on it
  local node=$1
  kill -KILL "${PID[engine-$node]}" "${PID[export-$node]}" 2>/dev/null || true
  wait "${PID[engine-$node]}" "${PID[export-$node]}" 2>/dev/null || true
}

stop_all() {
  local p
  for p in "${PID[@]}"; do kill -CONT "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; done
  sleep 2
  for p in "${PID[@]}"; do kill -KILL "$p" 2>/dev/null; done
  PID=()
}

hup() { kill -HUP "${PID[$1]}"; }

# wait_status FILE JQ_CONDITION TIMEOUT WHAT
wait_status() {
  local deadline=$((SECONDS + $3))
  until jq -e "$2" "$1" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { cat "$1" >&2 2>/dev/null; die "$4: not within $3 s"; }
    sleep 0.2
  done
}

applied() { echo ".revision == $REVISION and .ok == true"; }

# start_pair: both export services, node a's engine ACTIVE, node b's STANDBY (drive files made).
start_pair() {
  local node name
  for node in a b; do
    mkdir -p "$WORK/$node"
    for name in $NODE_DRIVES; do truncate -s "${DRIVE_SIZE:-2G}" "$WORK/$node/$name.img"; done
    write_exports "$node"
    start_export "$node"
  done
}

start_engines() {
  write_layout a ACTIVE -
  start_engine a
  wait_status "$WORK/a/status.json" "$(applied) and .ha.state == \"ACTIVE\"" 60 "engine a active"
  write_layout b STANDBY -
  start_engine b
  wait_status "$WORK/b/status.json" "$(applied) and .ha.state == \"STANDBY\"" 60 "engine b standby"
}
