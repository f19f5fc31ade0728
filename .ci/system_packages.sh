#!/usr/bin/env bash
# Installs the Debian packages the suite needs on a fresh machine (CI runs as root).
# Idempotent: a package already installed costs one dpkg query. Add a package here,
# with the reason, when a test needs a program that pip cannot provide.
set -euo pipefail

PACKAGES=(
    faketime          # .ci/run's shifted-date runs (libfaketime)
    postgresql        # the county tests start a real server (their own cluster, in tmp)
    espeak-ng         # read-aloud: one test drives the real speech engine through pyttsx3
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo ".ci: cannot install ${missing[*]}: not root and no sudo" >&2; exit 1
    fi
fi
echo ".ci: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
