#!/bin/sh
# Keeps one lab host booted: runs systemd-nspawn and boots it again after `systemctl reboot` inside
# (nspawn exits 133). Any other end (poweroff, a crash of the host's PID 1, SIGTERM from `lab down`)
# leaves it down until `lab up`/`lab start` runs again, so a test can observe a crash. `lab down`
# creates HOSTDIR/stop first, so a reboot racing with it does not boot the host again.
# usage: host-supervisor.sh NAME HOSTDIR NSPAWN-ARGS...
set -u
name=$1
dir=$2
shift 2
while :; do
  # A veth left by the previous boot blocks the next one for a moment.
  i=0
  while ip link show dev "vb-$name" >/dev/null 2>&1 && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
  rm -f "$dir/exit"
  echo "=== lab: booting $name at $(date -u +%FT%TZ)"
  systemd-nspawn "$@" </dev/null &
  echo $! > "$dir/nspawn.pid"
  wait $!
  rc=$?
  echo "$rc" > "$dir/exit"
  echo "=== lab: $name ended with exit $rc at $(date -u +%FT%TZ)"
  [ "$rc" -eq 133 ] && [ ! -e "$dir/stop" ] || exit 0
done
