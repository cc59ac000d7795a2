#!/usr/bin/env bash
# System packages the tests need beyond .venv: Debian's Chromium for the browser tests
# (Playwright's own browser download is not available). Idempotent and quiet.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
    SUDO="sudo"
fi

echo "installing chromium (apt-get)..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
