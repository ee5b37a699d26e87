#!/usr/bin/env bash
# Starts a private D-Bus session bus in DIR with gnome-keyring's Secret
# Service on it, its login keyring unlocked with a throwaway password. Prints
# the bus address; everything lives under DIR (the keyring files in
# DIR/data/keyrings). Stop it by killing the pid in DIR/dbus.pid: the
# keyring daemon leaves with its bus.
#   tests/servers/keyring.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir/data" "$dir/runtime"
chmod 700 "$dir" "$dir/runtime"
dbus-daemon --session --fork --print-pid=1 --address="unix:path=$dir/bus" >"$dir/dbus.pid"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus" HOME="$dir"
export XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/runtime"
printf 'poshta-test-keyring' \
    | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
echo "$DBUS_SESSION_BUS_ADDRESS"
