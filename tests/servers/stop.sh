#!/usr/bin/env bash
# Stops the servers started by start.sh DIR, by their PID files only.
#
#   stop.sh DIR
#
# Safe to run more than once, and on a half-started DIR.
set -uo pipefail

if [ "$(id -u)" -ne 0 ]; then
    exec sudo -n -- "$0" "$@"
fi
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$(cd "$1" 2>/dev/null && pwd) || exit 0

# stop_pid FILE NAME: TERM the process in FILE if its name is NAME, wait up
# to 10 s for it to go, then KILL it.
stop_pid() {
    local file=$1 name=$2 pid comm
    [ -s "$file" ] || return 0
    read -r pid < "$file" || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 0
    # Never signal a process that merely reused the PID.
    [ "$comm" = "$name" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    echo "stop.sh: $name ($pid) ignored TERM, killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

# The watchdog first, unless it is the one calling us.
if [ -z "${POSHTA_FROM_WATCHDOG:-}" ] && [ -s "$DIR/watchdog.pid" ]; then
    read -r wpid < "$DIR/watchdog.pid" || wpid=""
    if [[ $wpid =~ ^[0-9]+$ ]] && grep -qs poshta-servers-watchdog "/proc/$wpid/cmdline"; then
        kill -TERM "$wpid" 2>/dev/null || true
    fi
fi

# Postfix first: it delivers into Dovecot.
stop_pid "$DIR/postfix/spool/pid/master.pid" master
stop_pid "$DIR/run/master.pid" dovecot
rm -f "$DIR/env"
exit 0
