# Timing an HA test's events against the Linux guest's I/O (ha-failover.guest.sh runs the guest's
# side: a probe of O_SYNC writes whose completions it logs, and a clock beacon). Sourced by
# ha-failover.sh (engines driven through their files) and ha-product.sh (the whole product); the
# caller sets WORK and SHARE and defines say().

# The guest's clock, sampled against the host's: each line "host_ms guest_ms" when the guest's
# beacon changed. The smallest host-minus-guest difference is the clocks' offset (plus the
# beacon's delivery, at most a few tens of ms).
sample_clocks() {
  local last="" g
  while [ ! -f "$SHARE/events-done" ]; do
    g=$(cat "$SHARE/guest-clock" 2>/dev/null || true)
    if [ -n "$g" ] && [ "$g" != "$last" ]; then
      echo "$(date +%s%3N) $g" >>"$WORK/clock-samples.log"
      last=$g
    fi
    sleep 0.02
  done
}

event() { # N TEXT: an event starts (timed with the host's clock)
  echo "$1 start $(date +%s%3N) ${2%%:*}" >>"$WORK/events-host.log"
  say "event $1: $2"
}
event_done() { echo "$1 done $(date +%s%3N)" >>"$WORK/events-host.log"; }
# step N WHAT: a step of event N seen by the host (steps-host.log: "N host_ms WHAT"), to set
# beside the engines' and the guest's logs when working out where a pause went.
step() { echo "$1 $(date +%s%3N) $2" >>"$WORK/steps-host.log"; }

# pauses: for each event, the longest wait from one completed probe write to the next among the
# waits that end after it started and before the next event started: "last write completed before
# the kill to the first one after". Prints "| N | kind | pause ms |" rows ("-" when no probe write
# completed in that time: the guest was too slow to tell). A host time becomes the
# guest's with the clocks' offset measured within 20 s of it (the smallest host-minus-guest
# difference there), since an emulated guest's clock drifts when the host is loaded (seconds over
# a run were seen); the smallest over the whole run when no sample is that near.
pauses() {
  awk -F', ' '
    FILENAME == ARGV[1] { split($0, f, " "); sh[++samples] = f[1]; diff[samples] = f[1] - f[2]
                          if (samples == 1 || diff[samples] < global) global = diff[samples]; next }
    FILENAME == ARGV[2] { split($0, f, " "); n = f[1]
                          if (f[2] == "start") { start[n] = f[3]; kind[n] = f[4]; if (n > max_n) max_n = n }
                          next }
    { t[++count] = $1 + 0 }
    function guest(h,   i, best, found) {
      found = 0
      for (i = 1; i <= samples; i++)
        if (sh[i] - h <= 20000 && h - sh[i] <= 20000 && (!found || diff[i] < best)) { best = diff[i]; found = 1 }
      return h - (found ? best : global)
    }
    END {
      for (n = 1; n <= max_n; n++) {
        s = guest(start[n]); e = (n + 1) in start ? guest(start[n + 1]) : t[count] + 1
        worst = -1
        for (i = 2; i <= count; i++) if (t[i] > s && t[i] <= e && t[i] - t[i - 1] > worst) worst = t[i] - t[i - 1]
        # "-": no probe write completed between this event and the next (the guest too slow to tell)
        printf "| %d | %s | %s |\n", n, kind[n], worst < 0 ? "-" : worst
      }
    }' "$WORK/clock-samples.log" "$WORK/events-host.log" "$SHARE/probe-completions.log"
}

source "$(dirname "${BASH_SOURCE[0]}")/ports.lib.sh"

# start_guest IQN PORT1 PORT2 CHAP_USER CHAP_SECRET FIO_MB: boots the guest running
# ha-failover.guest.sh in the background (GUEST_PID); it reaches the host's 127.0.0.1:PORT1 over
# its first NIC and :PORT2 over a second one, so that it can lose one path alone.
start_guest() {
  STRATA_GUEST_QEMU_ARGS="-netdev user,id=net1,net=10.0.3.0/24 -device virtio-net-pci,netdev=net1" \
    "$ROOT/infra/guest/run-guest.sh" "$HERE/ha-failover.guest.sh" "$SHARE" "$@" >"$WORK/guest.log" 2>&1 &
  GUEST_PID=$!
}

# Waits until the guest's loads run (or it stopped), then starts sampling its clock.
await_guest_ready() {
  local deadline=$((SECONDS + 900))
  until [ -f "$SHARE/guest-ready" ]; do
    kill -0 "$GUEST_PID" 2>/dev/null || break
    ((SECONDS < deadline)) || die "the guest was not ready after 900 s"
    sleep 1
  done
  : >"$WORK/events-host.log"
  : >"$WORK/clock-samples.log"
  sample_clocks &
}

# finish_guest NAME REPORT_FILE WHERE: waits for the guest, prints its checks and each event's
# I/O pause (kept in REPORT_FILE when given), and exits with the guest's status.
finish_guest() {
  local name=$1 report=$2 where=$3 status=0 passed
  wait "$GUEST_PID" || status=$?
  grep -E "^GUEST-|strata-guest:" "$WORK/guest.log" | tr -d '\r' >&2 || true
  passed=$(grep -c "^GUEST-OK" "$WORK/guest.log" || true)
  if [ -s "$SHARE/probe-completions.log" ]; then
    pauses >"$WORK/pauses.md"
    say "I/O pause per event (ms), seen by the guest's probe:"
    cat "$WORK/pauses.md" >&2
    [ -z "$report" ] || cp "$WORK/pauses.md" "$report"
  fi
  say "wall time $((SECONDS - started)) s, guest status $status (console: $WORK/guest.log, $where)"
  if ((status == 0)); then
    echo "$name: $passed passed, 0 failed"
  else
    tail -40 "$WORK/guest.log" >&2
    echo "$name: $passed passed, 1 failed"
  fi
  exit "$status"
}
