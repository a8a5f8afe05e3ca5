# Prometheus (Debian's package) scraping every Strata service and agent of the local stack with
# the shipped alerting rules. Its own data folder under the state folder; loopback only.
# shellcheck shell=bash

PROMETHEUS_HOME=$STATE/prometheus

# The agents' addresses, "127.0.0.1:port" quoted and comma-separated, from the services list.
prometheus_agent_targets() {
  local entry targets=()
  for entry in "${STRATA_SERVICES[@]}"; do
    case "$(service_field "$entry" 0)" in agent-*) targets+=("\"127.0.0.1:$(service_field "$entry" 2)\"") ;; esac
  done
  local IFS=,
  echo "${targets[*]}"
}

prometheus_config() {
  mkdir -p "$PROMETHEUS_HOME/data"
  sed -e "s#@RULES@#$STRATA_ROOT/infra/prometheus/rules#g" \
    -e "s#@CONTROL_PLANE_PORT@#$CONTROL_PLANE_PORT#g" -e "s#@BILLING_PORT@#$BILLING_PORT#g" \
    -e "s#@CONSOLE_PORT@#$CONSOLE_PORT#g" -e "s#@AGENT_TARGETS@#$(prometheus_agent_targets)#g" \
    -e "s#@PROMETHEUS_PORT@#$PROMETHEUS_PORT#g" \
    "$STRATA_ROOT/infra/prometheus/prometheus.yml" >"$PROMETHEUS_HOME/prometheus.yml"
  promtool check config "$PROMETHEUS_HOME/prometheus.yml" >"$LOGS/prometheus-config-check.log" 2>&1 \
    || { cat "$LOGS/prometheus-config-check.log" >&2; die "the Prometheus configuration does not check"; }
}

prometheus_ready() { curl -sf -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; }

prometheus_up() {
  ensure_packages prometheus
  if running prometheus; then log "Prometheus already running on http://127.0.0.1:$PROMETHEUS_PORT"; return 0; fi
  # Debian's package may start its own service on :9090 (systemd machines): say so, do not fight it.
  port_open "$PROMETHEUS_PORT" \
    && die "127.0.0.1:$PROMETHEUS_PORT is taken (Debian's prometheus service? 'systemctl disable --now prometheus', or set STRATA_PROMETHEUS_PORT)"
  prometheus_config
  log "starting Prometheus on http://127.0.0.1:$PROMETHEUS_PORT"
  start_process prometheus "$LOGS/prometheus.log" prometheus \
    --config.file="$PROMETHEUS_HOME/prometheus.yml" \
    --storage.tsdb.path="$PROMETHEUS_HOME/data" \
    --storage.tsdb.retention.time="${STRATA_PROMETHEUS_RETENTION:-15d}" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  wait_until "Prometheus" 60 prometheus_ready || { tail -30 "$LOGS/prometheus.log" >&2; die "Prometheus did not start"; }
}

prometheus_down() { stop_process prometheus; }

prometheus_status() {
  if running prometheus; then printf '%-14s running  http://127.0.0.1:%s (pid %s)\n' prometheus "$PROMETHEUS_PORT" "$(pid_of prometheus)"
  else printf '%-14s stopped\n' prometheus; fi
}
