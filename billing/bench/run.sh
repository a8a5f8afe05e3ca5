#!/usr/bin/env bash
# Billing benchmark: ingestion rate (Kafka -> committed readings) and closing a month for many
# tenants. Needs the real dependencies (infra/bin/deps up); uses a fresh database and an
# in-process Kafka broker like the tests. Prints the BENCH lines that docs/benchmarks/billing.md quotes.
#
#   billing/bench/run.sh                      # 1000 arrays x 60 one-minute samples, 1000 tenants
#   ARRAYS=1000 MINUTES=240 TENANTS=1000 billing/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -o -pl billing -am test \
  -Dtest=BillingBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.arrays="${ARRAYS:-1000}" -Dbench.minutes="${MINUTES:-60}" -Dbench.tenants="${TENANTS:-1000}" \
  -DargLine="-Dbench.arrays=${ARRAYS:-1000} -Dbench.minutes=${MINUTES:-60} -Dbench.tenants=${TENANTS:-1000}" \
  2>&1 | grep -E '^BENCH|ERROR|FAIL' || true
grep -h '^BENCH' billing/target/surefire-reports/*BillingBenchmark-output.txt 2>/dev/null || true
