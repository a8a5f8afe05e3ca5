# Strata's own services, run from their Quarkus builds, each answering /q/health/ready.
# shellcheck shell=bash

# name|module folder|port
STRATA_SERVICES=(
  "control-plane|control-plane/service|$CONTROL_PLANE_PORT"
  "billing|billing|$BILLING_PORT"
  "agent-1|array-agent/agent|$AGENT_PORT"
  "web-console|web-console|$CONSOLE_PORT"
)

service_field() { local IFS='|'; read -r -a f <<<"$1"; echo "${f[$2]}"; }

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

services_up() {
  local entry name module port jar key
  key=$(secrets_key)
  for entry in "${STRATA_SERVICES[@]}"; do
    name=$(service_field "$entry" 0); module=$(service_field "$entry" 1); port=$(service_field "$entry" 2)
    if running "$name"; then log "$name already running on :$port"; continue; fi
    jar=$STRATA_ROOT/$module/target/quarkus-app/quarkus-run.jar
    [ -f "$jar" ] || die "$jar is missing: build first"
    log "starting $name on http://127.0.0.1:$port"
    STRATA_SECRETS_KEY=$key STRATA_HTTP_PORT=$port STRATA_STATE=$STATE STRATA_NODE_ID=${name#agent-} STRATA_DEMO_TENANTS=acme,globex \
      STRATA_AGENT_DATA_DIR=$STATE/agents/$name \
      start_process "$name" "$LOGS/$name.log" java -Xmx384m -jar "$jar"
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
  local entry name port
  for entry in "${STRATA_SERVICES[@]}"; do
    name=$(service_field "$entry" 0); port=$(service_field "$entry" 2)
    if running "$name"; then printf '%-14s running  http://127.0.0.1:%s (pid %s)\n' "$name" "$port" "$(pid_of "$name")"
    else printf '%-14s stopped\n' "$name"; fi
  done
}
