# A client of the running cluster stack, through HAProxy as users reach it: the shared part of
# infra/cluster/smoke and infra/cluster/chaos. Sourced after cluster.sh; the sourcing script sets
# CLIENT_NAME (for its messages) and may set API (default: the control plane behind HAProxy),
# RETRY_BUDGET (seconds of the retry rule, 60) and CALLER (whom a 401 signs in again, acme-admin).
# The client's retry rule (docs/operations.md, "The chaos test") is `call`'s: what a careful API
# client does.

API=${API:-http://127.0.0.1:$CLUSTER_LB_CONTROL_PLANE_PORT/api/v1}
BILLING_API=http://127.0.0.1:$CLUSTER_LB_BILLING_PORT/api/v1

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf '[%s %s] %s\n' "${CLIENT_NAME:-client}" "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# ---- tokens ------------------------------------------------------------------------------------
token_at() { # BASE_URL [USER]: a password grant of the public client strata-cli (demo password)
  curl -sf -m 20 -d grant_type=password -d client_id=strata-cli -d "username=${2:-acme-admin}" -d password=strata-demo \
    "$1/realms/strata/protocol/openid-connect/token"
}
TOKEN=
sign_in() { # [USER]: TOKEN for USER (acme-admin) through HAProxy
  TOKEN=$(token_at "http://127.0.0.1:$CLUSTER_LB_KEYCLOAK_PORT" "${1:-acme-admin}" | jq -r .access_token) \
    && [ -n "$TOKEN" ] && [ "$TOKEN" != null ]
}

# api METHOD PATH [JSON [IDEMPOTENCY_KEY [BASE]]]: prints "STATUS BODY" (STATUS 000: no answer)
api() {
  local method=$1 path=$2 body=${3:-} key=${4:-} base=${5:-$API} args=() out
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' -d "$body")
  [ -n "$key" ] && args+=(-H "Idempotency-Key: $key")
  out=$(mktemp /tmp/strata-client.XXXXXX)
  curl -s -m 20 -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN" "${args[@]}" "$base$path" || true
  printf ' '
  cat "$out" 2>/dev/null || true
  rm -f "$out"
}
# (parameter expansion, not cut: a body of several lines, as HAProxy's own 502/503 pages are,
# must not give a status per line)
status_of() { printf '%s' "${1%% *}"; }
body_of() { printf '%s' "${1#* }"; }

# call METHOD PATH [JSON [KEY [BASE]]]: the client retry rule; prints "STATUS ATTEMPTS BODY"
call() {
  local method=$1 path=$2 body=${3:-} key=${4:-} base=${5:-$API} reply status attempts=0 deadline=$((SECONDS + ${RETRY_BUDGET:-60}))
  while :; do
    attempts=$((attempts + 1))
    reply=$(api "$method" "$path" "$body" "$key" "$base")
    status=$(status_of "$reply")
    case $status in
      000|429|502|503|504)
        ((SECONDS < deadline)) || break
        sleep 1 ;;
      401)
        ((SECONDS < deadline)) || break
        sign_in "${CALLER:-acme-admin}" || sleep 1 ;;
      *) break ;;
    esac
  done
  printf '%s %s %s' "$status" "$attempts" "$(body_of "$reply")"
}
# create PATH JSON KEY: the same request (same Idempotency-Key) under call's retry rule; prints the
# id. A retry of a create that did happen returns the same resource; any other answer (a 4xx: the
# request is wrong, a retry would not help) fails at once.
create() {
  local reply status
  reply=$(call POST "$1" "$2" "$3")
  status=$(printf '%s' "${reply%% *}")
  case $status in
    200|201) local rest=${reply#* }; printf '%s' "${rest#* }" | jq -r .id ;;
    *) fail "POST $1: $status after ${RETRY_BUDGET:-60} s of the retry rule: ${reply:0:300}" ;;
  esac
}

# wait_state PATH STATE SECONDS: polls until the resource's state is STATE; prints the seconds
wait_state() {
  local path=$1 want=$2 limit=$3 t0 reply state=""
  t0=$(now)
  while (($(awk -v t="$(since "$t0")" -v l="$limit" 'BEGIN { print (t < l) }'))); do
    reply=$(api GET "$path")
    [ "$(status_of "$reply")" = 401 ] && { sign_in || true; }
    state=$(body_of "$reply" | jq -r '.state // empty' 2>/dev/null || true)
    [ "$state" = "$want" ] && { since "$t0"; return 0; }
    [ "$state" = FAILED ] && fail "$path went FAILED: $(body_of "$reply" | jq -c '{state, failureReason}')"
    sleep 1
  done
  fail "$path not $want after ${limit}s (last state: ${state:-none})"
}

kill_member() { # NAME: SIGKILL its whole process group (a keeper and what it started)
  local pid; pid=$(pid_of "$1") || fail "no PID for $1"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
}
