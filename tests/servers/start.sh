#!/usr/bin/env bash
# Starts a private Dovecot + Postfix pair on 127.0.0.1 for the live tests.
#
#   start.sh DIR [--watch PID [--cleanup]]
#
# Everything (certificates, configs, queues, maildirs, logs, sockets) lives
# in DIR. Ports are picked free at start; concurrent starts are serialised
# with a lock until the daemons hold their ports, so they never clash.
# On success DIR/env holds KEY=VALUE lines describing the instance.
#
# --watch PID: a detached watchdog stops the servers once PID has exited
# (and, with --cleanup, removes DIR).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    # Postfix must be started by root; Dovecot drops privileges itself.
    exec sudo -n -- "$0" "$@"
fi

usage() { echo "usage: $0 DIR [--watch PID [--cleanup]]" >&2; exit 2; }
[ $# -ge 1 ] || usage
DIR=$1; shift
WATCH_PID=""
CLEANUP=0
while [ $# -gt 0 ]; do
    case $1 in
        --watch) [ $# -ge 2 ] || usage; WATCH_PID=$2; shift 2 ;;
        --cleanup) CLEANUP=1; shift ;;
        *) usage ;;
    esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TIMEOUT=${POSHTA_SERVERS_TIMEOUT:-60}
DOMAIN=example.test
# pop1..pop10 are for the POP3 tests: a POP3 session takes the whole INBOX,
# so each test has a mailbox no other test delivers to.
USERS=(alice bob carol pop1 pop2 pop3 pop4 pop5 pop6 pop7 pop8 pop9 pop10)
declare -A PASSWORDS=(
    [alice]='alice-Pw-7f3k2'
    [bob]='bob-Pw-9q4m8'
    [carol]='carol-Pw-2x6v5'
    [pop1]='pop1-Pw-4h8s1'
    [pop2]='pop2-Pw-7k2d9'
    [pop3]='pop3-Pw-1m5x3'
    [pop4]='pop4-Pw-8c3q6'
    [pop5]='pop5-Pw-2w9r4'
    [pop6]='pop6-Pw-6t1z7'
    [pop7]='pop7-Pw-3n8b5'
    [pop8]='pop8-Pw-9v2j4'
    [pop9]='pop9-Pw-5p7g2'
    [pop10]='pop10-Pw-8y4k3'
)

for bin in dovecot postfix openssl python3 flock timeout; do
    if ! command -v "$bin" >/dev/null && [ ! -x "/usr/sbin/$bin" ]; then
        echo "start.sh: '$bin' not found; run tests/servers/install.sh" >&2
        exit 1
    fi
done
if ! getent passwd vmail >/dev/null; then
    echo "start.sh: user 'vmail' missing; run tests/servers/install.sh" >&2
    exit 1
fi
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
RUN_DIR=$DIR/run
# Unix socket paths (sun_path) are limited to 108 bytes.
if [ ${#RUN_DIR} -gt 70 ]; then
    echo "start.sh: DIR path too long for unix sockets: $DIR" >&2
    exit 1
fi
if [ -e "$DIR/env" ] || [ -e "$RUN_DIR/master.pid" ]; then
    echo "start.sh: $DIR already holds an instance; stop.sh it first" >&2
    exit 1
fi
chmod 755 "$DIR"
VMAIL_UID=$(id -u vmail)
VMAIL_GID=$(id -g vmail)
INSTANCE=poshta-$(basename "$DIR" | tr -c 'A-Za-z0-9_\n-' '_')
START_NS=$(date +%s%N)
DEADLINE=$(( $(date +%s) + TIMEOUT ))

DOVECOT_LOG=$DIR/dovecot/dovecot.log
POSTFIX_LOG=$DIR/postfix/postfix.log
DOVECOT_PID_FILE=$RUN_DIR/master.pid
POSTFIX_PID_FILE=$DIR/postfix/spool/pid/master.pid

fail() {
    echo "start.sh: $*" >&2
    for log in "$DIR/start.log" "$DOVECOT_LOG" "$POSTFIX_LOG"; do
        if [ -s "$log" ]; then
            echo "----- $log -----" >&2
            tail -n 60 "$log" >&2
        fi
    done
    POSHTA_FROM_WATCHDOG=1 "$HERE/stop.sh" "$DIR" >&2 || true
    exit 1
}

# --- certificates ----------------------------------------------------------
# A small CA (rustls refuses a CA certificate used as the end entity) and a
# leaf for localhost, 127.0.0.1 and 127.0.0.2 signed by it.
mkdir -p "$DIR/tls"
(
    cd "$DIR/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout ca.key -out ca.pem -days 30 -subj "/CN=poshta test CA $INSTANCE" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout server.key -out server.csr -subj "/CN=localhost"
    cat > server.ext <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:127.0.0.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EXT
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
        -set_serial "0x$(openssl rand -hex 8)" -days 30 \
        -extfile server.ext -out server.pem
    chmod 600 ca.key server.key
    chmod 644 ca.pem server.pem
) >>"$DIR/start.log" 2>&1 || fail "certificate generation failed"
CA_PEM=$DIR/tls/ca.pem

# --- watchdog --------------------------------------------------------------
# Started before any daemon, so servers never outlive the watched process,
# even if it dies while this script runs.
WATCHDOG_PID_FILE=$DIR/watchdog.pid
if [ -n "$WATCH_PID" ]; then
    POSHTA_FROM_WATCHDOG=1 setsid bash -c '
        while kill -0 "$1" 2>/dev/null; do sleep 1; done
        "$2" "$3"
        if [ "$4" = 1 ]; then rm -rf -- "$3"; fi
    ' poshta-servers-watchdog "$WATCH_PID" "$HERE/stop.sh" "$DIR" "$CLEANUP" \
        </dev/null >>"$DIR/watchdog.log" 2>&1 &
    echo $! > "$WATCHDOG_PID_FILE"
fi

# Serialise against concurrent starts: the lock is held from port picking
# until every daemon listens. Daemons must not inherit the lock descriptor.
LOCK_FILE=/tmp/poshta-test-servers.lock
exec 9>>"$LOCK_FILE"
flock -w "$TIMEOUT" 9 || fail "timed out waiting for $LOCK_FILE"

# --- ports -----------------------------------------------------------------
# Bind all sockets at once so the kernel hands out six distinct ports that
# are free on every local address.
read -r IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT SUBMISSION_PORT SUBMISSIONS_PORT < <(
    "$PYTHON" - <<'PY'
import socket
socks = []
for _ in range(6):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 0))  # free on 127.0.0.1 and 127.0.0.2 alike
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)
[ -n "${SUBMISSIONS_PORT:-}" ] || fail "could not pick free ports"

# --- configuration ---------------------------------------------------------
render() { # template output
    sed -e "s|@DIR@|$DIR|g" -e "s|@RUN_DIR@|$RUN_DIR|g" \
        -e "s|@DOMAIN@|$DOMAIN|g" -e "s|@INSTANCE@|$INSTANCE|g" \
        -e "s|@VMAIL_UID@|$VMAIL_UID|g" -e "s|@VMAIL_GID@|$VMAIL_GID|g" \
        -e "s|@IMAP_PORT@|$IMAP_PORT|g" -e "s|@IMAPS_PORT@|$IMAPS_PORT|g" \
        -e "s|@POP3_PORT@|$POP3_PORT|g" -e "s|@POP3S_PORT@|$POP3S_PORT|g" \
        -e "s|@SUBMISSION_PORT@|$SUBMISSION_PORT|g" \
        -e "s|@SUBMISSIONS_PORT@|$SUBMISSIONS_PORT|g" \
        "$1" > "$2"
}

mkdir -p "$DIR/dovecot/state" "$DIR/mail" "$DIR/postfix/etc" "$DIR/postfix/spool" \
    "$DIR/postfix/data"
chown vmail:vmail "$DIR/mail"
chmod 700 "$DIR/mail"
chown postfix "$DIR/postfix/data"
render "$HERE/dovecot.conf.in" "$DIR/dovecot/dovecot.conf"
render "$HERE/main.cf.in" "$DIR/postfix/etc/main.cf"
render "$HERE/master.cf.in" "$DIR/postfix/etc/master.cf"
: > "$DIR/dovecot/users"
: > "$DIR/postfix/vmailbox"
for u in "${USERS[@]}"; do
    echo "$u@$DOMAIN:{PLAIN}${PASSWORDS[$u]}::::::" >> "$DIR/dovecot/users"
    echo "$u@$DOMAIN $DOMAIN/$u/" >> "$DIR/postfix/vmailbox"
done
# The auth process runs as the dovecot user.
chgrp dovecot "$DIR/dovecot/users"
chmod 640 "$DIR/dovecot/users"

# --- start -----------------------------------------------------------------
dovecot -c "$DIR/dovecot/dovecot.conf" </dev/null >>"$DIR/start.log" 2>&1 9>&- \
    || fail "dovecot did not start"
if ! postfix -c "$DIR/postfix/etc" start </dev/null >>"$DIR/start.log" 2>&1 9>&-; then
    # postfix reports configuration errors only to a terminal.
    script -qc "postfix -c '$DIR/postfix/etc' check" /dev/null >>"$DIR/start.log" 2>&1 9>&- || true
    fail "postfix did not start"
fi

# --- readiness -------------------------------------------------------------
greets() { # host port prefix: the server's first line starts with prefix
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && IFS= read -r line <&3 && [[ $line == "$3"* ]]' \
        _ "$1" "$2" "$3" 2>/dev/null
}
tls_ok() { # port [starttls-protocol]: a verified handshake for localhost
    local extra=()
    [ $# -lt 2 ] || extra=(-starttls "$2")
    timeout 5 openssl s_client -connect "127.0.0.1:$1" "${extra[@]}" \
        -servername localhost -verify_hostname localhost \
        -CAfile "$CA_PEM" -verify_return_error </dev/null >/dev/null 2>&1
}
wait_for() { # description command...
    until "${@:2}"; do
        [ "$(date +%s)" -lt "$DEADLINE" ] || fail "timed out waiting for $1"
        sleep 0.05
    done
}
wait_for "IMAP greeting" greets 127.0.0.1 "$IMAP_PORT" "* OK"
wait_for "IMAP greeting on 127.0.0.2" greets 127.0.0.2 "$IMAP_PORT" "* OK"
wait_for "POP3 greeting" greets 127.0.0.1 "$POP3_PORT" "+OK"
wait_for "submission greeting" greets 127.0.0.1 "$SUBMISSION_PORT" "220 "
wait_for "submission greeting on 127.0.0.2" greets 127.0.0.2 "$SUBMISSION_PORT" "220 "
# Both masters bind all their ports at once: the ports are taken, so other
# starts may go ahead.
exec 9>&-
wait_for "IMAP STARTTLS" tls_ok "$IMAP_PORT" imap
wait_for "IMAPS" tls_ok "$IMAPS_PORT"
wait_for "POP3 STLS" tls_ok "$POP3_PORT" pop3
wait_for "POP3S" tls_ok "$POP3S_PORT"
wait_for "submission STARTTLS" tls_ok "$SUBMISSION_PORT" smtp
wait_for "submissions" tls_ok "$SUBMISSIONS_PORT"
wait_for "LMTP socket" test -S "$RUN_DIR/lmtp"
wait_for "auth socket" test -S "$RUN_DIR/auth-postfix"
wait_for "postfix pid file" test -s "$POSTFIX_PID_FILE"

# --- env -------------------------------------------------------------------
READY_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
{
    echo "DIR=$DIR"
    echo "HOST=127.0.0.1"
    echo "TLS_HOST=localhost"
    # Same ports; Dovecot applies no loopback exemption to clients here.
    echo "REMOTE_HOST=127.0.0.2"
    echo "DOMAIN=$DOMAIN"
    echo "IMAP_PORT=$IMAP_PORT"
    echo "IMAPS_PORT=$IMAPS_PORT"
    echo "POP3_PORT=$POP3_PORT"
    echo "POP3S_PORT=$POP3S_PORT"
    echo "SUBMISSION_PORT=$SUBMISSION_PORT"
    echo "SUBMISSIONS_PORT=$SUBMISSIONS_PORT"
    echo "CA_PEM=$CA_PEM"
    echo "CA_KEY=$DIR/tls/ca.key"
    echo "SERVER_CERT=$DIR/tls/server.pem"
    echo "SERVER_KEY=$DIR/tls/server.key"
    echo "LMTP_SOCKET=$RUN_DIR/lmtp"
    echo "MAIL_ROOT=$DIR/mail"
    echo "USERS='${USERS[*]}'"
    for u in "${USERS[@]}"; do
        U=${u^^}
        echo "${U}_ADDRESS=$u@$DOMAIN"
        echo "${U}_PASSWORD=${PASSWORDS[$u]}"
        echo "${U}_MAILDIR=$DIR/mail/$DOMAIN/$u/Maildir"
    done
    echo "DOVECOT_CONF=$DIR/dovecot/dovecot.conf"
    echo "POSTFIX_CONF_DIR=$DIR/postfix/etc"
    echo "DOVECOT_PID_FILE=$DOVECOT_PID_FILE"
    echo "POSTFIX_PID_FILE=$POSTFIX_PID_FILE"
    echo "WATCHDOG_PID_FILE=$WATCHDOG_PID_FILE"
    echo "DOVECOT_LOG=$DOVECOT_LOG"
    echo "POSTFIX_LOG=$POSTFIX_LOG"
    echo "READY_MS=$READY_MS"
} > "$DIR/env.tmp"
mv "$DIR/env.tmp" "$DIR/env"
echo "start.sh: ready in ${READY_MS} ms ($DIR/env)" >&2
