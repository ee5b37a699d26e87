# Shared helpers for Poshta's scripts (sourced, not run).

# Run as root directly, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install Debian packages that are missing; quiet when all are present.
apt_ensure() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What the window needs at run time on X11/Wayland: keyboard, cursor,
# fonts covering Cyrillic and CJK, and a GL/Vulkan stack with a software
# fallback (the app also falls back to its CPU renderer).
GUI_RUNTIME_PACKAGES=(libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxrandr2 libxi6
    libwayland-client0 libwayland-cursor0 libvulkan1 mesa-vulkan-drivers
    fonts-dejavu-core fonts-noto-core fonts-noto-cjk xdg-desktop-portal)
