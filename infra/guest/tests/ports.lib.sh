# Free ports on the host's 127.0.0.1 for the guest tests and benches (sourced by ha-nodes.lib.sh,
# ha-events.lib.sh and linux-initiator-tcp.sh).

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_ports() { # N: N distinct free ports on 127.0.0.1
  local candidate found=()
  while ((${#found[@]} < $1)); do
    candidate=$((20000 + RANDOM % 10000))
    port_free "$candidate" && [[ " ${found[*]} " != *" $candidate "* ]] && found+=("$candidate")
  done
  echo "${found[@]}"
}
