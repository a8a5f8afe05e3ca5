# S3Proxy (org.gaul:s3proxy from Maven Central) on loopback with its filesystem backend: the
# S3-compatible object store that volume backups go to (docs/backup.md). Its objects are plain
# files under $S3PROXY_DIR/data/<bucket>/<key>; requests are signed (AWS signature v2 or v4) with
# the identity and credential below.
# shellcheck shell=bash

S3_PORT=${STRATA_S3_PORT:-8333}
S3_ACCESS_KEY=${STRATA_S3_ACCESS_KEY:-strata-backup}
S3_SECRET_KEY=${STRATA_S3_SECRET_KEY:-strata-backup-secret}
S3PROXY_VERSION=4.1.0
S3PROXY_DIR=$STATE/s3proxy
# A jar already at hand (the engine's integration tests pass the one Maven resolved for them) is
# used as it is; otherwise it is fetched once into the state folder with Maven.
S3PROXY_JAR=${STRATA_S3PROXY_JAR:-$S3PROXY_DIR/s3proxy-$S3PROXY_VERSION.jar}

s3proxy_fetch() {
  [ -f "$S3PROXY_JAR" ] && return 0
  log "fetching S3Proxy $S3PROXY_VERSION with Maven"
  mvnw -q -f "$STRATA_ROOT/infra/deps/s3proxy/pom.xml" -Dstrata.state="$STATE" process-resources >"$LOGS/fetch-s3proxy.log" 2>&1 \
    || { tail -30 "$LOGS/fetch-s3proxy.log" >&2; die "could not fetch S3Proxy"; }
}

# The properties hold the credential: readable by the owner only.
s3proxy_config() {
  mkdir -p "$S3PROXY_DIR/data"
  (umask 077; cat >"$S3PROXY_DIR/s3proxy.properties") <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.identity=$S3_ACCESS_KEY
jclouds.credential=$S3_SECRET_KEY
jclouds.filesystem.basedir=$S3PROXY_DIR/data
CONF
}

s3proxy_up() {
  if running s3proxy; then log "S3Proxy already running on 127.0.0.1:$S3_PORT"; return 0; fi
  if port_open "$S3_PORT"; then
    log "S3Proxy already running on 127.0.0.1:$S3_PORT (started from another state folder)"
    return 0
  fi
  s3proxy_fetch
  s3proxy_config
  log "starting S3Proxy on 127.0.0.1:$S3_PORT (filesystem backend in $S3PROXY_DIR/data)"
  start_process s3proxy "$LOGS/s3proxy.log" java -Xms64m -Xmx256m -jar "$S3PROXY_JAR" \
    --properties "$S3PROXY_DIR/s3proxy.properties"
}

s3proxy_ready() { port_open "$S3_PORT"; }
s3proxy_wait() {
  wait_until "S3Proxy" 60 s3proxy_ready || { tail -30 "$LOGS/s3proxy.log" >&2; die "S3Proxy did not start"; }
}
s3proxy_down() { stop_process s3proxy; }
s3proxy_status() {
  if running s3proxy; then echo "s3proxy    running  http://127.0.0.1:$S3_PORT (pid $(pid_of s3proxy)), data in $S3PROXY_DIR/data"
  elif port_open "$S3_PORT"; then echo "s3proxy    shared   http://127.0.0.1:$S3_PORT (started from another state folder)"
  else echo "s3proxy    stopped"; fi
}
