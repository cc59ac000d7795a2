#!/usr/bin/env bash
# System packages the tests need besides .venv: Debian's Chromium for the browser tests
# (Playwright's own browser download is not available). Idempotent and quiet: it does
# nothing when /usr/bin/chromium is there. Runs as root (CI) or through sudo.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "system-deps: chromium is missing; install it as root: apt-get install -y chromium" >&2
        exit 1
    fi
    as_root=(sudo)
fi

echo "system-deps: installing chromium with apt-get..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
