#!/usr/bin/env bash
# Billing benchmark (issue 7, point 7): ingestion rate (Kafka -> committed readings) and closing a
# month for many tenants. Needs the real dependencies (infra/bin/deps up: PostgreSQL and Keycloak);
# runs BillingBenchmark as a Quarkus test: the service's code in one JVM with a fresh database on
# the real PostgreSQL and an in-process Kafka broker (Kafka's test kit), like the billing tests.
# Prints the BENCH lines (with the load average beside each figure) that docs/benchmarks/billing.md quotes.
#
#   billing/bench/run.sh                      # 1000 arrays x (30 warm-up + 180 measured) minutes, 1000 tenants
#   ARRAYS=1000 MINUTES=240 WARMUP=30 TENANTS=1000 BATCH=10000 billing/bench/run.sh
#   JFR=/tmp/billing.jfr billing/bench/run.sh  # also record a Java Flight Recording (profile settings)
set -euo pipefail
cd "$(dirname "$0")/../.."
props="-Dbench.arrays=${ARRAYS:-1000} -Dbench.minutes=${MINUTES:-180} -Dbench.tenants=${TENANTS:-1000} -Dbench.batch=${BATCH:-10000} -Dbench.warmup.minutes=${WARMUP:-30}"
# A month's replay is one test that runs for half an hour: not a hang for @QuarkusTest to report.
props="$props -Dquarkus.test.hang-detection-timeout=PT2H"
jvm=""
if [ -n "${JFR:-}" ]; then
  jvm="-XX:StartFlightRecording=filename=$JFR,settings=profile"
fi
log=$(mktemp /tmp/billing-bench-XXXX.log)
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); full log: $log"
status=0
./mvnw -B -o -pl billing -am test -Dtest=BillingBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  $props -DargLine="$props $jvm" >"$log" 2>&1 || status=$?
grep -h '^BENCH' "$log" billing/target/surefire-reports/*BillingBenchmark-output.txt 2>/dev/null | sort -u || true
if [ "$status" != 0 ]; then
  grep -E 'ERROR|FAIL' "$log" | head -20
  exit "$status"
fi
