# Apache Kafka in KRaft mode: one combined broker and controller on loopback.
# shellcheck shell=bash

kafka_java() { java -Xms256m -Xmx512m -Dlog4j2.configurationFile="$STRATA_ROOT/infra/kafka/log4j2.properties" \
  -Dkafka.logs.dir="$LOGS" -cp "$KAFKA_HOME/libs/*" "$@"; }

kafka_up() {
  if running kafka; then log "Kafka already running on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  if port_open "$KAFKA_PORT"; then log "Kafka already running on 127.0.0.1:$KAFKA_PORT (started from another state folder)"; return 0; fi
  distributions_fetch
  local config=$KAFKA_HOME/server.properties data=$KAFKA_HOME/data
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA@#$data#g" \
    "$STRATA_ROOT/infra/kafka/server.properties" >"$config"
  if [ ! -f "$data/meta.properties" ]; then
    log "formatting Kafka storage in $data"
    local cluster_id
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$LOGS/kafka.log" | tail -n 1)
    kafka_java kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$config" --standalone >>"$LOGS/kafka.log" 2>&1 \
      || die "formatting Kafka storage failed (see $LOGS/kafka.log)"
  fi
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT"
  start_process kafka "$LOGS/kafka.log" java -Xms256m -Xmx512m \
    -Dlog4j2.configurationFile="$STRATA_ROOT/infra/kafka/log4j2.properties" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$config"
}

kafka_ready() { if running kafka; then port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$LOGS/kafka.log"; else port_open "$KAFKA_PORT"; fi; }
kafka_wait() { wait_until "Kafka" 300 kafka_ready || { tail -30 "$LOGS/kafka.log" >&2; die "Kafka did not start"; }; }
kafka_down() { stop_process kafka; }
kafka_status() { if running kafka; then echo "kafka      running  127.0.0.1:$KAFKA_PORT (pid $(pid_of kafka))"; elif port_open "$KAFKA_PORT"; then echo "kafka      shared   127.0.0.1:$KAFKA_PORT (started from another state folder)"; else echo "kafka      stopped"; fi; }
