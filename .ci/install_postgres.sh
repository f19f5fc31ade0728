#!/usr/bin/env bash
# Install the PostgreSQL server the county tests start (Debian/Ubuntu, as root).
# Idempotent: does nothing when a server is already installed.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "install_postgres.sh: PostgreSQL is missing; run this as root (or: sudo $0)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# The package's own cluster is not used: the suite runs its own server in a temp folder.
apt-get install -y -q --no-install-recommends postgresql
