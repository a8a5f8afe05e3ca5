# Keycloak from its server distribution, started in development mode with the strata realm imported.
# shellcheck shell=bash

KEYCLOAK_REALM_FILE=$STRATA_ROOT/infra/keycloak/strata-realm.json

keycloak_up() {
  if running keycloak; then log "Keycloak already running on http://127.0.0.1:$KEYCLOAK_PORT"; return 0; fi
  if port_open "$KEYCLOAK_PORT"; then log "Keycloak already running on http://127.0.0.1:$KEYCLOAK_PORT (started from another state folder)"; return 0; fi
  distributions_fetch
  mkdir -p "$KEYCLOAK_HOME/data/import"
  # The realm is imported only when it does not exist yet: a changed realm file starts a fresh database.
  local sum; sum=$(sha256sum "$KEYCLOAK_REALM_FILE" | cut -c1-64)
  if [ "$(cat "$KEYCLOAK_HOME/data/.realm-sum" 2>/dev/null)" != "$sum" ]; then
    rm -rf "$KEYCLOAK_HOME/data/h2"
    cp "$KEYCLOAK_REALM_FILE" "$KEYCLOAK_HOME/data/import/strata-realm.json"
    echo "$sum" >"$KEYCLOAK_HOME/data/.realm-sum"
  fi
  log "starting Keycloak on http://127.0.0.1:$KEYCLOAK_PORT"
  KC_BOOTSTRAP_ADMIN_USERNAME=${STRATA_KEYCLOAK_ADMIN:-admin} KC_BOOTSTRAP_ADMIN_PASSWORD=${STRATA_KEYCLOAK_ADMIN_PASSWORD:-admin} \
  JAVA_OPTS_KC_HEAP="-Xms128m -Xmx768m" \
    start_process keycloak "$LOGS/keycloak.log" "$KEYCLOAK_HOME/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" --http-management-port="$KEYCLOAK_MANAGEMENT_PORT" \
      --health-enabled=true --import-realm
}

keycloak_ready() { curl -sf -o /dev/null "http://127.0.0.1:$KEYCLOAK_PORT/realms/strata/.well-known/openid-configuration"; }
keycloak_wait() { wait_until "Keycloak" 600 keycloak_ready || { tail -40 "$LOGS/keycloak.log" >&2; die "Keycloak did not start"; }; }
keycloak_down() { stop_process keycloak; }
keycloak_status() { if running keycloak; then echo "keycloak   running  http://127.0.0.1:$KEYCLOAK_PORT (pid $(pid_of keycloak))"; elif port_open "$KEYCLOAK_PORT"; then echo "keycloak   shared   http://127.0.0.1:$KEYCLOAK_PORT (started from another state folder)"; else echo "keycloak   stopped"; fi; }
