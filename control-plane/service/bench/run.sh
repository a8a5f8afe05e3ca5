#!/usr/bin/env bash
# Control-plane benchmark (issue 4, point 7): list volumes of a tenant holding 10 000 volumes,
# and create volumes, with wrk on loopback against the packaged service in prod mode.
#   control-plane/service/bench/run.sh            (infra/bin/deps up must be running)
# Uses its own database strata_cp_bench (dropped and recreated) and port 8091.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
port=8091
db=strata_cp_bench
export PGPASSWORD=strata
psql() { command psql -h 127.0.0.1 -p 5433 -U strata -v ON_ERROR_STOP=1 -qAt "$@"; }
duration=${BENCH_DURATION:-20s}

if [ ! -f "$root/control-plane/service/target/quarkus-app/quarkus-run.jar" ]; then
  (cd "$root" && ./mvnw -B -q -o -pl control-plane/service -am package -DskipTests)
fi

psql -d postgres -c "drop database if exists $db with (force)"
psql -d postgres -c "create database $db"

log=$(mktemp /tmp/cp-bench-XXXX.log)
STRATA_HTTP_PORT=$port STRATA_DB_URL="jdbc:postgresql://127.0.0.1:5433/$db" \
  STRATA_DEMO_TENANTS=acme,globex QUARKUS_LOG_LEVEL=WARN \
  java -Xmx1g -jar "$root/control-plane/service/target/quarkus-app/quarkus-run.jar" >"$log" 2>&1 &
service=$!
trap 'kill $service 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null && break
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

# two nodes with drives, an array and a pool for acme
for i in 0 1; do
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

acme=$(psql -d "$db" -c "select id from tenant where alias = 'acme'")
# 10 000 volumes for acme (inserted directly: this measures listing, not creating)
psql -d "$db" -c "insert into volume (id, tenant_id, array_id, pool_id, name, size_gib, thin, multi_attach, state, created_at, updated_at)
  select gen_random_uuid(), '$acme', '$array', '$pool', 'seed-' || g, 10, true, false,
         'AVAILABLE', now(), now() from generate_series(1, 10000) g; analyze volume;"
echo "acme volumes: $(psql -d "$db" -c "select count(*) from volume where tenant_id = '$acme'")"

export TOKEN; TOKEN=$(token acme-admin)
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/volumes?limit=50" | head -c 300 || true; echo

echo "== warm-up"
wrk -t2 -c8 -d10s -s "$here/list-volumes.lua" "http://127.0.0.1:$port" >/dev/null
for c in 4 16 64; do
  echo "== list volumes, $c connections, $duration"
  wrk -t2 -c$c -d"$duration" --latency -s "$here/list-volumes.lua" "http://127.0.0.1:$port"
done
for c in 4 16; do
  echo "== create volumes, $c connections, $duration"
  RUN=$c POOL=$pool wrk -t2 -c$c -d"$duration" --latency -s "$here/create-volumes.lua" "http://127.0.0.1:$port"
done
echo "acme volumes after: $(psql -d "$db" -c "select count(*) from volume where tenant_id = '$acme'")"
echo "outbox rows: $(psql -d "$db" -c "select count(*) from outbox_message")"
