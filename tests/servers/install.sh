#!/usr/bin/env bash
# Installs the servers the live tests run against (Dovecot, Postfix,
# gnome-keyring on a private D-Bus for secrets, dnsmasq for the DNS answers
# of account discovery,
# OpenSSL; isync and fetchmail for the IMAP and POP3 benchmarks; xdg-utils
# and file, through which an opened attachment reaches the default
# application) without
# letting the package scripts start system-wide daemons.
# Idempotent: does nothing when everything is already present.
set -euo pipefail

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo -n)
fi

PACKAGES=(dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix
          openssl ca-certificates procps python3 isync fetchmail
          gnome-keyring dbus-daemon libsecret-tools dnsmasq-base
          xdg-utils file)

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "install.sh: installing ${missing[*]}" >&2
    # Keep invoke-rc.d from starting daemons on the standard ports. An
    # existing policy-rc.d (e.g. Docker's) is put back afterwards.
    policy=/usr/sbin/policy-rc.d
    backup=""
    if [ -e "$policy" ]; then
        backup=$(mktemp)
        "${SUDO[@]}" cp -p "$policy" "$backup"
    fi
    restore_policy() {
        if [ -n "$backup" ]; then
            "${SUDO[@]}" cp -p "$backup" "$policy"
            rm -f "$backup"
        else
            "${SUDO[@]}" rm -f "$policy"
        fi
    }
    trap restore_policy EXIT
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"

    echo 'postfix postfix/main_mailer_type select No configuration' \
        | "${SUDO[@]}" debconf-set-selections
    export DEBIAN_FRONTEND=noninteractive
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}"; then
        "${SUDO[@]}" apt-get update -q
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    restore_policy
    trap - EXIT
fi

# Mail storage belongs to one unprivileged system user.
if ! getent passwd vmail >/dev/null; then
    "${SUDO[@]}" groupadd --system vmail 2>/dev/null || true
    "${SUDO[@]}" useradd --system --gid vmail --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin vmail
fi

command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ]
command -v postfix >/dev/null || [ -x /usr/sbin/postfix ]
echo "install.sh: ok ($(/usr/sbin/dovecot --version), postfix $(/usr/sbin/postconf -d -h mail_version 2>/dev/null))" >&2
