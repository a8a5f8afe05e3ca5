#!/usr/bin/env bash
# Provisioning benchmark (issue 6 point 7): create-array → target accepts logins, and
# create-volume + attach → LUN visible to an initiator, p50/p95 over RUNS runs (default 20),
# on the same processes as the end-to-end test (packaged control plane, billing, two agents,
# a Kafka broker process; PostgreSQL and Keycloak from `infra/bin/deps up`).
#
#   e2e/bench/provisioning.sh [RUNS]
#
# The table (with the load average) is printed and left in e2e/target/provisioning-benchmark.md;
# copy it into docs/benchmarks/provisioning.md with the date.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
./mvnw -B -o -q -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ProvisioningBenchmarkIT -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dstrata.bench=true -Dstrata.bench.runs="$runs"
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
cat e2e/target/provisioning-benchmark.md
