# The Kafka broker and the Keycloak server, fetched from Maven Central by Maven (infra/deps/pom.xml).
# shellcheck shell=bash

distributions_fetch() {
  local marker=$STATE/.distributions-$KAFKA_VERSION-$KEYCLOAK_VERSION
  [ -f "$marker" ] && [ -d "$KAFKA_HOME/libs" ] && [ -f "$KEYCLOAK_HOME/bin/kc.sh" ] && return 0
  log "fetching Kafka $KAFKA_VERSION and Keycloak $KEYCLOAK_VERSION with Maven"
  rm -rf "$KAFKA_HOME/libs"
  mvnw -q -f "$STRATA_ROOT/infra/deps/pom.xml" -Dstrata.state="$STATE" process-resources >"$LOGS/fetch.log" 2>&1 \
    || { tail -30 "$LOGS/fetch.log" >&2; die "could not fetch the server distributions"; }
  chmod +x "$KEYCLOAK_HOME"/bin/*.sh
  touch "$marker"
}
