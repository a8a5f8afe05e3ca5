#!/usr/bin/env bash
# Control-plane benchmark (issue 4, point 7), on loopback against the packaged service in prod mode:
#   1. list volumes (GET /api/v1/volumes?limit=50) of a tenant holding 20 000 volumes (BENCH_VOLUMES), at FIXED
#      request rates with h2load (--rps per connection; latency of every request from its log file);
#   2. the same list as fast as it goes (wrk, closed loop);
#   3. create volumes (POST /api/v1/volumes, unique names) with wrk, in a small array and in the
#      array holding those volumes.
#
#   control-plane/service/bench/run.sh        (infra/bin/deps up must be running: PostgreSQL, Keycloak)
#   BENCH_DURATION=30 BENCH_RATES="250 500 750" BENCH_PORT=8093 control-plane/service/bench/run.sh
#
# Provisioning over Kafka is off (no storage nodes answer here): the commands are written to the
# outbox in the request's transaction as always, and not relayed.
# Uses its own database strata_cp_bench (BENCH_DB; dropped and recreated) and port 8091 (BENCH_PORT).
# Repackages the service when a source file is newer than the jar. Needs wrk and h2load
# (Debian packages wrk, nghttp2-client; installed here when missing and running as root).
# BENCH_JFR=/tmp/cp.jfr records a Java Flight Recording of the service for profiling.
# Every figure is printed with the load average at that moment (`uptime`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
port=${BENCH_PORT:-8091}
db=${BENCH_DB:-strata_cp_bench}
duration=${BENCH_DURATION:-20}          # seconds per scenario
rates=${BENCH_RATES:-"100 250 500"}     # list requests per second, fixed-rate runs
connections=${BENCH_CONNECTIONS:-10}    # h2load connections for the fixed-rate runs
export PGPASSWORD=strata
psql() { command psql -h 127.0.0.1 -p 5433 -U strata -v ON_ERROR_STOP=1 -qAt "$@"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# CPU time the service's JVM has used, in ms (user + system): per request, a figure that a loaded
# machine disturbs much less than latency (it counts the work, not the waiting)
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' /proc/$service/stat; }
per_request() { # cpu-before requests
  awk -v a="$1" -v b="$(cpu_ms)" -v n="$2" 'BEGIN { if (n > 0) printf "service CPU %.2f ms per request", (b - a) / n; else printf "no requests" }'
}

for tool in wrk:wrk h2load:nghttp2-client; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y "${tool#*:}" >/dev/null; else
      echo "needs ${tool%%:*} (apt-get install ${tool#*:})" >&2; exit 1; fi
  fi
done

jar=${BENCH_JAR:-"$root/control-plane/service/target/quarkus-app/quarkus-run.jar"}   # BENCH_JAR: measure another build
if [ -z "${BENCH_JAR:-}" ] && { [ ! -f "$jar" ] || [ -n "$(find "$root/control-plane" "$root/pom.xml" -path '*/target' -prune -o -newer "$jar" -type f \( -name '*.java' -o -name '*.properties' -o -name '*.sql' -o -name pom.xml \) -print -quit)" ]; }; then
  echo "== packaging the control plane"
  (cd "$root" && ./mvnw -B -q -o -pl control-plane/service -am package -DskipTests)
fi

psql -d postgres -c "drop database if exists $db with (force)"
psql -d postgres -c "create database $db"

log=$(mktemp /tmp/cp-bench-XXXX.log)
work=$(mktemp -d /tmp/cp-bench-XXXX)
STRATA_HTTP_PORT=$port STRATA_DB_URL="jdbc:postgresql://127.0.0.1:5433/$db" \
  STRATA_SECRETS_KEY="$(head -c 32 /dev/urandom | base64)" \
  STRATA_DEMO_TENANTS=acme,globex QUARKUS_LOG_LEVEL=WARN STRATA_PROVISIONING_ENABLED=false \
  QUARKUS_DATASOURCE_JDBC_ACQUISITION_TIMEOUT=30S \
  java -Xmx1g ${BENCH_JFR:+-XX:StartFlightRecording=filename=$BENCH_JFR,settings=profile} -jar "$jar" >"$log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true; wait $service 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break
  kill -0 $service 2>/dev/null || { echo "the service did not start:"; tail -30 "$log"; exit 1; }
  sleep 1
done

token() {
  curl -sf -d grant_type=password -d client_id=strata-cli -d "username=$1" -d password=strata-demo \
    http://127.0.0.1:8180/realms/strata/protocol/openid-connect/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/'
}
api() { # user method path [json]
  local t; t=$(token "$1")
  curl -sf -X "$2" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} "http://127.0.0.1:$port$3"
}
field() { sed "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/"; }

# four nodes with SSDs, two arrays and their pools for acme
for i in 0 1 2 3; do
  node=$(api ops POST /api/v1/admin/nodes "{\"name\":\"bench-$i\",\"zone\":\"z$i\",\"address\":\"127.0.0.$((20+i))\",\"cpuCores\":16,\"memoryGib\":64}" | field id)
  etag=$(curl -sf -D - -o /dev/null -H "Authorization: Bearer $(token ops)" "http://127.0.0.1:$port/api/v1/admin/nodes/$node" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
  curl -sf -X PATCH -H "Authorization: Bearer $(token ops)" -H 'Content-Type: application/json' -H "If-Match: $etag" \
      -d '{"state":"ONLINE"}' "http://127.0.0.1:$port/api/v1/admin/nodes/$node" >/dev/null
  for d in 0 1; do
    api ops POST /api/v1/admin/drives "{\"nodeId\":\"$node\",\"serial\":\"bench-$i-$d\",\"type\":\"SSD\",\"capacityGib\":7680}" >/dev/null
  done
done
array=$(api acme-admin POST /api/v1/arrays '{"name":"bench","engineSize":"E02","ssdDrives":2}' | field id)
pool=$(api acme-admin POST /api/v1/pools "{\"arrayId\":\"$array\",\"name\":\"bench\",\"driveType\":\"SSD\",\"protection\":\"RAID1\",\"driveCount\":2}" | field id)
small=$(api acme-admin POST /api/v1/arrays '{"name":"small","engineSize":"E02","ssdDrives":2}' | field id)
smallpool=$(api acme-admin POST /api/v1/pools "{\"arrayId\":\"$small\",\"name\":\"small\",\"driveType\":\"SSD\",\"protection\":\"RAID1\",\"driveCount\":2}" | field id)

acme=$(psql -d "$db" -c "select id from tenant where alias = 'acme'")
# BENCH_VOLUMES (20 000, issue 20's fleet size) volumes for acme (inserted directly: this measures
# listing, not creating)
psql -d "$db" -c "insert into volume (id, tenant_id, array_id, pool_id, name, size_gib, thin, multi_attach, state, created_at, updated_at)
  select gen_random_uuid(), '$acme', '$array', '$pool', 'seed-' || g, 10, true, false,
         'AVAILABLE', now(), now() from generate_series(1, ${BENCH_VOLUMES:-20000}) g; analyze volume;"
echo "acme volumes: $(psql -d "$db" -c "select count(*) from volume where tenant_id = '$acme'")"

export TOKEN; TOKEN=$(token acme-admin)
url="http://127.0.0.1:$port/api/v1/volumes?limit=50"
echo "one page: $(curl -sf -o /dev/null -w '%{http_code}, %{size_download} bytes' -H "Authorization: Bearer $TOKEN" "$url")"

# p50/p90/p99/max in ms and the non-2xx count, from an h2load log (start µs, status, duration µs)
percentiles() {
  cut -f2,3 "$1" | sort -n -k2,2 | awk '
    function at(q,  i) { i = int(NR * q); if (i < NR * q) i++; if (i < 1) i = 1; return d[i] / 1000 }
    { d[NR] = $2; if ($1 < 200 || $1 > 299) bad++ }
    END { if (NR == 0) { print "no requests"; exit }
      printf "latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms over %d requests, non-2xx %d\n",
        at(0.50), at(0.90), at(0.99), d[NR] / 1000, NR, bad + 0 }'
}

echo "== warm-up (load $(load))"
wrk -t2 -c8 -d10s -s "$here/list-volumes.lua" "http://127.0.0.1:$port" >/dev/null
for rate in $rates; do
  per=$(( (rate + connections - 1) / connections ))
  echo "== list volumes at a fixed $((per * connections)) requests/s ($connections connections x $per/s), ${duration}s; load before $(load)"
  before=$(cpu_ms)
  h2load --h1 -c "$connections" -t 2 --rps "$per" -D "$duration" --warm-up-time 2 \
      -H "Authorization: Bearer $TOKEN" --log-file "$work/list-$rate.tsv" "$url" \
    | grep -E '^(finished in|requests:|status codes:)' | sed 's/^/   /'
  echo "   $(percentiles "$work/list-$rate.tsv"); $(per_request "$before" "$(wc -l < "$work/list-$rate.tsv")"); load after $(load)"
done
echo "== list volumes, closed loop (as fast as it goes), 16 connections, ${duration}s; load before $(load)"
before=$(cpu_ms)
wrk -t2 -c16 -d"${duration}s" --latency -s "$here/list-volumes.lua" "http://127.0.0.1:$port" >"$work/wrk.txt"
grep -E 'Requests/sec|  50%|  99%|Non-2xx|Socket errors' "$work/wrk.txt" | sed 's/^/   /'
echo "   $(per_request "$before" "$(awk '/requests in/ { print $1 }' "$work/wrk.txt")"); load after $(load)"

TOKEN=$(token acme-admin)
for target in "small:$smallpool" "bench:$pool"; do
  for c in 4 16; do
    echo "== create volumes in array '${target%%:*}', $c connections, ${duration}s; load before $(load)"
    before=$(cpu_ms)
    RUN="${target%%:*}$c" POOL="${target#*:}" wrk -t2 -c$c -d"${duration}s" --latency -s "$here/create-volumes.lua" \
      "http://127.0.0.1:$port" >"$work/wrk.txt"
    grep -E 'Requests/sec|  50%|  99%|non-2xx|Socket errors' "$work/wrk.txt" | sed 's/^/   /'
    echo "   $(per_request "$before" "$(awk '/requests in/ { print $1 }' "$work/wrk.txt")"); load after $(load)"
  done
done
# creates at a bounded rate (issue 20: p99 < 150 ms at 50/s): 5 connections, each waiting
# 100 ms between requests, so at most 50/s; "achieved" below says whether the service kept up
create_rate=${BENCH_CREATE_RATE:-50}
echo "== create volumes in array 'small' at up to ${create_rate}/s (5 connections), ${duration}s; load before $(load)"
before=$(cpu_ms)
RUN="rate" POOL="$smallpool" DELAY_MS=$((5000 / create_rate)) wrk -t1 -c5 -d"${duration}s" --latency \
  -s "$here/create-volumes.lua" "http://127.0.0.1:$port" >"$work/wrk.txt"
grep -E 'Requests/sec|  50%|  90%|  99%|non-2xx|Socket errors' "$work/wrk.txt" | sed 's/^/   /'
echo "   $(per_request "$before" "$(awk '/requests in/ { print $1 }' "$work/wrk.txt")"); load after $(load)"
echo "acme volumes after: $(psql -d "$db" -c "select count(*) from volume where tenant_id = '$acme'")"
echo "outbox rows: $(psql -d "$db" -c "select count(*) from outbox_message")"
