#!/usr/bin/env python3
"""Where each event's I/O pause went: one timeline per event of an ha-failover.sh run.

    infra/guest/tests/ha-timeline.py WORK [EVENT...]
    infra/guest/tests/ha-timeline.py WORK --summary     (one table row per event)

WORK is the run's work folder (ha-failover.sh prints it; STRATA_HA_WORK). Every line is put on the
host's clock, in ms from the event's start:
  host    the script's own steps (steps-host.log: demoted seen, fenced, promoted seen),
  engine  the engines' log lines (a/engine.log, b/engine.log, stamped in ms by ha-failover.sh),
  kernel  the guest's kernel log (share/guest-dmesg.log; its seconds since boot are mapped with
          the "strata-clock" lines the guest writes into it every second),
  mpathd  multipathd's log (share/multipathd-trace.log: its own monotonic timestamps, mapped
          like the kernel's; the guest's µs stamp on each line is late when the guest is busy),
  probe   the probe's last completed write before the event's longest gap and the first after.
A guest time becomes the host's with the clock-beacon offset nearest to it (clock-samples.log), as
the pause table does, so guest and host lines agree to within a few tens of ms.
"""
import re
import sys
from pathlib import Path

# Kernel and multipathd lines worth showing (the rest is per-I/O or per-tick noise).
KERNEL = re.compile(r"alua|multipath|reinstat|Failing|failing|connection|"
                    r"detected conn error|session recovery|Unit Attention")
MPATHD = re.compile(r"mark as failed|reinstat|switch|failback|state|prio|fail path|queue|"
                    r"reload|GHOST|ghost|DOWN|UP|down|up", re.IGNORECASE)
MPATHD_NOISE = re.compile(r"path checker|get_state|checking|sysfs|uevent|waiting|tick|"
                          r"unchanged|not changed", re.IGNORECASE)


def offsets(work):
    """[(host_ms, host_minus_guest)] from the clock beacon samples."""
    samples = []
    for line in (work / "clock-samples.log").read_text().split("\n"):
        parts = line.split()
        if len(parts) == 2:
            samples.append((int(parts[0]), int(parts[0]) - int(parts[1])))
    return samples


def to_host(guest_ms, samples):
    """A guest time on the host's clock: the smallest offset among samples within 20 s of it."""
    near = [d for h, d in samples if abs((h - d) - guest_ms) <= 20000]
    return guest_ms + min(near or [d for _, d in samples])


def events(work):
    starts, kinds = {}, {}
    for line in (work / "events-host.log").read_text().split("\n"):
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "start":
            starts[int(parts[0])] = int(parts[2])
            kinds[int(parts[0])] = " ".join(parts[3:])
    return starts, kinds


def host_steps(work):
    path = work / "steps-host.log"
    rows = []
    if path.exists():
        for line in path.read_text().split("\n"):
            parts = line.split(maxsplit=2)
            if len(parts) == 3:
                rows.append((int(parts[1]), "host", parts[2]))
    return rows


def engine_lines(work):
    rows = []
    for node in ("a", "b"):
        path = work / node / "engine.log"
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").split("\n"):
            m = re.match(r"(\d{13})\|(\w+)\|(.*)", line)
            if m:
                rows.append((int(m.group(1)), "engine " + node, m.group(3)[:160]))
    return rows


def boot_time(share):
    """The guest's Unix time (ms) at uptime 0, from the "strata-clock" lines in its kernel log
    (the smallest difference: the marker written with the least delay); None without them."""
    path = share / "guest-dmesg.log"
    boot = None
    if path.exists():
        for m in re.finditer(r"\[\s*(\d+\.\d+)\]\s*strata-clock (\d+)", path.read_text(errors="replace")):
            b = int(m.group(2)) - float(m.group(1)) * 1000
            boot = b if boot is None or b < boot else boot
    return boot


def kernel_lines(share, samples, boot):
    path = share / "guest-dmesg.log"
    if not path.exists() or boot is None:
        return []
    rows = []
    for line in path.read_text(errors="replace").split("\n"):
        m = re.match(r"\[\s*(\d+\.\d+)\]\s*(.*)", line)
        if m and KERNEL.search(m.group(2)):
            rows.append((to_host(int(boot + float(m.group(1)) * 1000), samples), "kernel",
                         m.group(2)[:160]))
    return rows


def mpathd_lines(share, samples, boot):
    """multipathd's lines at its own timestamps (seconds of the monotonic clock, which the
    kernel log's are too), or at the guest's stamp when there is no kernel clock mapping."""
    path = share / "multipathd-trace.log"
    rows = []
    if path.exists():
        for line in path.read_text(errors="replace").split("\n"):
            m = re.match(r"(\d+) (?:(\d+\.\d+) \| )?(.*)", line)
            if not m:
                continue
            text = m.group(3)
            if MPATHD.search(text) and not MPATHD_NOISE.search(text):
                guest = int(boot + float(m.group(2)) * 1000) if boot is not None and m.group(2) \
                    else int(m.group(1)) // 1000
                rows.append((to_host(guest, samples), "mpathd", text[:160]))
    return rows


def probe_gap(share, samples, start, end):
    """The longest wait between completed probe writes ending in [start, end) (host ms)."""
    times = []
    for line in (share / "probe-completions.log").read_text().split("\n"):
        parts = line.split(",")
        if parts and parts[0].strip().isdigit():
            times.append(to_host(int(parts[0]), samples))
    best = None
    for before, after in zip(times, times[1:]):
        if start < after <= end and (best is None or after - before > best[1] - best[0]):
            best = (before, after)
    return best


CHANGE = re.compile(r"(demoted to STANDBY|promoted to ACTIVE) at epoch \d+ in (\d+) ms")


def summary(work, share, samples, starts):
    """One row per event: where its pause went, in ms from the event's start (host clock)."""
    changes = []  # (end_ms, kind, took_ms)
    for t, who, text in engine_lines(work):
        m = CHANGE.search(text)
        if m:
            changes.append((t, "demote" if m.group(1).startswith("demoted") else "promote",
                            int(m.group(2))))
    steps = host_steps(work)
    numbers = sorted(starts)
    print("| event | demotion (engine) | promotion begins | promotion (engine) | promoted, "
          "guest resumes | last write before | first write after | pause |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, n in enumerate(numbers):
        start = starts[n]
        end = starts[numbers[i + 1]] if i + 1 < len(numbers) else start + 60000
        demote = next((c for c in changes if c[1] == "demote" and start <= c[0] < end), None)
        promote = next((c for c in changes if c[1] == "promote" and start <= c[0] < end), None)
        gap = probe_gap(share, samples, start, end)
        cell = lambda v: "-" if v is None else str(v)
        print("| %d | %s | %s | %s | %s | %s | %s | %s |" % (
            n,
            cell(demote and f"{demote[0] - demote[2] - start}–{demote[0] - start}"),
            cell(promote and promote[0] - promote[2] - start),
            cell(promote and promote[2]),
            cell(promote and gap and f"{promote[0] - start} → {gap[1] - start} (+{gap[1] - promote[0]})"),
            cell(gap and gap[0] - start), cell(gap and gap[1] - start),
            cell(gap and gap[1] - gap[0])))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    work = Path(sys.argv[1])
    share = work / "share"
    if sys.argv[2:] == ["--summary"]:
        summary(work, share, offsets(work), events(work)[0])
        return
    wanted = {int(n) for n in sys.argv[2:]}
    samples = offsets(work)
    starts, kinds = events(work)
    boot = boot_time(share)
    rows = host_steps(work) + engine_lines(work) + kernel_lines(share, samples, boot) \
        + mpathd_lines(share, samples, boot)
    rows.sort()
    numbers = sorted(starts)
    for i, n in enumerate(numbers):
        if wanted and n not in wanted:
            continue
        start = starts[n]
        end = starts[numbers[i + 1]] if i + 1 < len(numbers) else start + 60000
        gap = probe_gap(share, samples, start, end)
        print(f"== event {n}: {kinds[n]} (host ms from its start)")
        shown = list(rows)
        if gap:
            shown += [(gap[0], "probe", "last write completed before the pause"),
                      (gap[1], "probe", f"first write completed after it (pause {gap[1] - gap[0]} ms)")]
        # from a second before the event to the end of its pause (or 15 s)
        until = max(gap[1] if gap else start, start + 1000) + 500
        for t, who, text in sorted(shown):
            if start - 1000 <= t <= min(until, end):
                print(f"{t - start:7d}  {who:9s} {text}")
        print()


if __name__ == "__main__":
    main()
