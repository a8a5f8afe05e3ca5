# Strata's own services, run from their Quarkus builds, each answering /q/health/ready.
# shellcheck shell=bash

# name|module folder|port|environment of its own (KEY=VALUE, space separated)
# Two agents: two storage nodes in two zones, each with its own address, data folder (and so its
# own demo drives), REST port and drive export port.
STRATA_SERVICES=(
  "control-plane|control-plane/service|$CONTROL_PLANE_PORT|"
  "billing|billing|$BILLING_PORT|STRATA_BILLING_DEMO_PRICE_PLAN=true"
  "agent-1|array-agent/agent|$AGENT_PORT|STRATA_NODE_ID=1 STRATA_ZONE=zone-a STRATA_NODE_ADDRESS=$AGENT_ADDRESS STRATA_DRIVE_PORTAL_PORT=$AGENT_DRIVE_PORT STRATA_AGENT_DATA_DIR=$STATE/agents/agent-1"
  "agent-2|array-agent/agent|$AGENT_2_PORT|STRATA_NODE_ID=2 STRATA_ZONE=zone-b STRATA_NODE_ADDRESS=$AGENT_2_ADDRESS STRATA_DRIVE_PORTAL_PORT=$AGENT_2_DRIVE_PORT STRATA_AGENT_DATA_DIR=$STATE/agents/agent-2"
  "web-console|web-console|$CONSOLE_PORT|"
)

service_field() { local IFS='|'; read -r -a f <<<"$1"; echo "${f[$2]:-}"; }

services_build() {
  log "building Strata (./mvnw install, tests skipped; infra/bin/test runs them)"
  mvnw -q -DskipTests install >"$LOGS/build.log" 2>&1 || { tail -40 "$LOGS/build.log" >&2; die "the build failed (see $LOGS/build.log)"; }
}

# The key sealing CHAP secrets (control plane) and opening them (agents): 32 random bytes made
# once per .state and kept there (mode 600), so that secrets sealed earlier still open. The
# services refuse to start with the development key outside dev and tests.
secrets_key() {
  local file=$STATE/secrets.key
  if [ ! -s "$file" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$file.tmp" && mv "$file.tmp" "$file")
  fi
  cat "$file"
}

service_ready() { curl -sf -o /dev/null "http://127.0.0.1:$1/q/health/ready"; }

# Linux answers every address of 127.0.0.0/8 on the loopback device; elsewhere (macOS) a second
# loopback address needs an alias first (ifconfig lo0 alias 127.0.0.2).
address_usable() {
  case $1 in
    127.0.0.1) return 0 ;;
    127.*) [ "$(uname -s)" = Linux ] ;;
    *) return 0 ;;
  esac
}

services_up() {
  local entry name module port own jar key
  key=$(secrets_key)
  address_usable "$AGENT_2_ADDRESS" || die "node 2's address $AGENT_2_ADDRESS is not usable here (alias it on the loopback device, or set STRATA_AGENT_2_ADDRESS)"
  for entry in "${STRATA_SERVICES[@]}"; do
    name=$(service_field "$entry" 0); module=$(service_field "$entry" 1); port=$(service_field "$entry" 2)
    own=$(service_field "$entry" 3)
    if running "$name"; then log "$name already running on :$port"; continue; fi
    jar=$STRATA_ROOT/$module/target/quarkus-app/quarkus-run.jar
    [ -f "$jar" ] || die "$jar is missing: build first"
    log "starting $name on http://127.0.0.1:$port${own:+ ($own)}"
    # shellcheck disable=SC2086 # $own is a list of KEY=VALUE words on purpose
    STRATA_SECRETS_KEY=$key STRATA_HTTP_PORT=$port STRATA_STATE=$STATE STRATA_DEMO_TENANTS=acme,globex \
      start_process "$name" "$LOGS/$name.log" env $own java -Xmx384m -XX:+ExitOnOutOfMemoryError -jar "$jar"
  done
  for entry in "${STRATA_SERVICES[@]}"; do
    name=$(service_field "$entry" 0); port=$(service_field "$entry" 2)
    wait_until "$name" 120 service_ready "$port" || { tail -30 "$LOGS/$name.log" >&2; die "$name did not become ready"; }
  done
}

services_down() {
  local i
  for ((i = ${#STRATA_SERVICES[@]} - 1; i >= 0; i--)); do stop_process "$(service_field "${STRATA_SERVICES[$i]}" 0)"; done
}

services_status() {
  local entry name port own
  for entry in "${STRATA_SERVICES[@]}"; do
    name=$(service_field "$entry" 0); port=$(service_field "$entry" 2); own=$(service_field "$entry" 3)
    if running "$name"; then printf '%-14s running  http://127.0.0.1:%s (pid %s)%s\n' "$name" "$port" "$(pid_of "$name")" \
      "${own:+  node $(node_of "$own")}"
    else printf '%-14s stopped\n' "$name"; fi
  done
}

# "node 1, zone-a, 127.0.0.1" from an agent's own environment words.
node_of() {
  local word id="" zone="" address=""
  for word in $1; do
    case $word in
      STRATA_NODE_ID=*) id=${word#*=} ;;
      STRATA_ZONE=*) zone=${word#*=} ;;
      STRATA_NODE_ADDRESS=*) address=${word#*=} ;;
    esac
  done
  echo "$id, $zone, $address"
}
