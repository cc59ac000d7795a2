#!/usr/bin/env bash
# System packages the tests need besides .venv: Debian's Chromium for the browser tests
# (Playwright's own browser download is not available) and LibreOffice Calc, which checks that
# a result workbook opens (tests/unit/model/test_workbook_libreoffice.py). Idempotent and quiet:
# it installs only what is missing. Runs as root (CI) or through sudo.
set -euo pipefail

missing=()
if [[ ! -x /usr/bin/chromium ]]; then
    missing+=(chromium)
fi
if [[ ! -x /usr/bin/soffice && ! -x /usr/bin/libreoffice ]]; then
    missing+=(libreoffice-calc)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "system-deps: ${missing[*]} missing; install as root: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    as_root=(sudo)
fi

echo "system-deps: installing ${missing[*]} with apt-get..."
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
if [[ " ${missing[*]} " == *" chromium "* ]]; then
    "${as_root[@]}" apt-get install -y -qq chromium >/dev/null
    /usr/bin/chromium --version
fi
if [[ " ${missing[*]} " == *" libreoffice-calc "* ]]; then
    # headless conversion needs no desktop integration: leave the recommended extras out
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null
    ls -l /usr/bin/soffice
fi
