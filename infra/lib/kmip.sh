# PyKMIP's KMIP server (Debian's python3-pykmip) on loopback, with TLS client certificates: the
# key management server that holds the tenants' key-encryption keys (docs/encryption.md,
# "Keys: KMIP"). Everything lives under $KMIP_DIR: a private CA, the server's and one client's
# certificate, the server's config, policy folder and SQLite database, and its log.
# shellcheck shell=bash

KMIP_PORT=${STRATA_KMIP_PORT:-5696}
KMIP_DIR=$STATE/kmip
# The client identity PyKMIP takes from the certificate's CN: objects it creates belong to it.
KMIP_CLIENT_NAME=${STRATA_KMIP_CLIENT_NAME:-strata}

# kmip_certs: a CA, a server certificate for 127.0.0.1 and a client certificate, made once.
# EC P-256 keys in PKCS#8 PEM (what the Java client reads) so that the server's only TLS 1.2
# suites are ECDHE-ECDSA with AES-GCM; PyKMIP refuses a client certificate without the
# clientAuth extended key usage.
kmip_certs() {
  local d=$KMIP_DIR/tls
  [ -f "$d/client.crt" ] && return 0
  command -v openssl >/dev/null || ensure_packages openssl
  mkdir -p "$d"
  (
    cd "$d" || exit 1
    umask 077
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=Strata local KMIP CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
    kmip_issue server "/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth"
    kmip_issue client "/CN=$KMIP_CLIENT_NAME" "extendedKeyUsage=clientAuth" "keyUsage=critical,digitalSignature"
    chmod 644 ca.crt server.crt client.crt
  ) >>"$LOGS/kmip.log" 2>&1 || die "making the KMIP certificates failed (see $LOGS/kmip.log)"
}

# kmip_issue NAME SUBJECT EXTENSION...: NAME.key and NAME.crt signed by the CA in the current folder.
kmip_issue() {
  local name=$1 subject=$2; shift 2
  local ext=() e
  for e in "$@"; do ext+=(-addext "$e"); done
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key"
  openssl req -new -key "$name.key" -subj "$subject" "${ext[@]}" -out "$name.csr"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days 825 \
    -copy_extensions copyall -out "$name.crt"
  rm -f "$name.csr"
}

kmip_config() {
  mkdir -p "$KMIP_DIR/policies"
  cat >"$KMIP_DIR/server.conf" <<CONF
[server]
hostname=127.0.0.1
port=$KMIP_PORT
certificate_path=$KMIP_DIR/tls/server.crt
key_path=$KMIP_DIR/tls/server.key
ca_path=$KMIP_DIR/tls/ca.crt
auth_suite=TLS1.2
policy_path=$KMIP_DIR/policies
enable_tls_client_auth=True
tls_cipher_suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
logging_level=INFO
database_path=$KMIP_DIR/pykmip.db
CONF
  # the engines' --kmip settings for this server (the agent's strata.agent.engine.kmip-settings)
  cat >"$KMIP_DIR/engine-kmip.json" <<JSON
{"host": "127.0.0.1", "port": $KMIP_PORT, "ca": "tls/ca.crt", "certificate": "tls/client.crt",
 "key": "tls/client.key"}
JSON
}

kmip_up() {
  command -v pykmip-server >/dev/null || ensure_packages python3-pykmip
  if running kmip; then log "KMIP server already running on 127.0.0.1:$KMIP_PORT"; return 0; fi
  if port_open "$KMIP_PORT"; then
    # Another checkout's stack (another state folder) serves this port: share it, as PostgreSQL
    # does; its certificates are in that state folder.
    log "KMIP server already running on 127.0.0.1:$KMIP_PORT (started from another state folder, or not PyKMIP)"
    return 0
  fi
  kmip_certs
  kmip_config
  log "starting the KMIP server (PyKMIP) on 127.0.0.1:$KMIP_PORT"
  start_process kmip "$LOGS/kmip.log" pykmip-server -f "$KMIP_DIR/server.conf" -l "$LOGS/kmip-server.log"
}

kmip_ready() { port_open "$KMIP_PORT"; }
kmip_wait() {
  wait_until "KMIP server" 60 kmip_ready || { tail -30 "$LOGS/kmip.log" "$LOGS/kmip-server.log" >&2 2>/dev/null; die "the KMIP server did not start"; }
}
# The whole process group (start_process's setsid makes the server its leader): PyKMIP forks
# workers (its policy monitor) that would outlive a signal to the leader alone. SIGINT, not
# stop_process's SIGTERM: PyKMIP only notices SIGTERM at its next accept timeout and then waits up
# to 10 s for each open session; SIGINT interrupts it at once. Each operation is committed to the
# SQLite database before it is answered, so the SIGKILL after 5 s loses nothing.
kmip_down() {
  local pid
  pid=$(pid_of kmip) || return 0
  if kill -0 -- "-$pid" 2>/dev/null; then
    log "stopping the KMIP server (process group $pid)"
    kill -INT -- "-$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 5))
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    while kill -0 -- "-$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$RUN/kmip.pid"
}

kmip_status() {
  if running kmip; then echo "kmip       running  127.0.0.1:$KMIP_PORT (pid $(pid_of kmip)), certificates in $KMIP_DIR/tls"
  elif port_open "$KMIP_PORT"; then echo "kmip       shared   127.0.0.1:$KMIP_PORT (started from another state folder)"
  else echo "kmip       stopped"; fi
}
