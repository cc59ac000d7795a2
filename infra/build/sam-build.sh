#!/usr/bin/env bash
# make build: install aws-sam-cli into .venv-sam if needed, `sam build` for python3.12, the
# functions' bytecode, then check every function against Lambda's 250 MB unzipped limit
# (infra/build/size_check.py).
#
# Environment (all optional):
#   PYTHON312      a Python 3.12 interpreter (else python3.12 on PATH, else pyenv's 3.12.x)
#   SAM_VENV       where aws-sam-cli lives (.venv-sam)
#   BUILD_DIR      sam build output (.aws-sam/build)
#   PY             the project's Python for the size check (.venv/bin/python)
#   PIP_CACHE_DIR  pip's wheel cache: a second build with the same cache downloads nothing
#   SAM_INSTALL_ONLY=1  install aws-sam-cli into SAM_VENV and stop
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
sam_venv="${SAM_VENV:-.venv-sam}"
build_dir="${BUILD_DIR:-.aws-sam/build}"
project_python="${PY:-.venv/bin/python}"
export SAM_CLI_TELEMETRY=0

is_python312() {
    [[ -n "$1" ]] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null
}

find_python312() {
    local candidate version
    if is_python312 "${PYTHON312:-}"; then command -v "$PYTHON312"; return; fi
    if candidate="$(command -v python3.12)" && is_python312 "$candidate"; then
        # A pyenv shim answers only when 3.12 is selected; resolve it to the real binary.
        "$candidate" -c 'import sys; print(sys.executable)'; return
    fi
    if command -v pyenv >/dev/null; then
        for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.[0-9]+)?$' | sort -rV); do
            candidate="$(pyenv root)/versions/$version/bin/python3.12"
            if is_python312 "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    return 1
}

install_sam() {
    # aws-sam-cli gets its own venv from the machine's Python, before PATH favours 3.12 below
    # (venv refuses to copy an interpreter onto itself when python3 is 3.12's).
    local stamp
    stamp="$sam_venv/.installed-$(md5sum requirements/sam.txt | cut -c1-8)"
    exec 9>"$root/.venv-sam.lock"
    flock 9  # two builds at once install it once
    if [[ ! -f "$stamp" ]]; then
        echo "sam-build.sh: installing aws-sam-cli into $sam_venv (requirements/sam.txt)"
        # A venv left half-made (no pip) by an interrupted run is made again.
        if ! "$sam_venv/bin/python" -m pip --version >/dev/null 2>&1; then
            rm -rf "$sam_venv"
            "${PYTHON_BOOT:-python3}" -m venv "$sam_venv"
        fi
        "$sam_venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/sam.txt
        rm -f "$sam_venv"/.installed-*
        touch "$stamp"
    fi
    flock -u 9
}

# SAM_INSTALL_ONLY=1: only aws-sam-cli into .venv-sam (the deploy test needs no Python 3.12).
if [[ "${SAM_INSTALL_ONLY:-}" == 1 ]]; then install_sam; exit 0; fi

if ! PYTHON312="$(find_python312)"; then
    cat >&2 <<'MESSAGE'
sam-build.sh: no Python 3.12 found. `sam build` for Lambda's python3.12 runtime needs one:
  - with pyenv: `pyenv install 3.12` (this script finds pyenv's 3.12.x by itself), or
  - with apt: `apt-get install python3.12 python3.12-venv`, or
  - set PYTHON312=/path/to/python3.12.
MESSAGE
    exit 1
fi
export PYTHON312

install_sam

# sam's python3.12 workflow looks for `python3.12` on PATH.
export PATH="$(dirname "$PYTHON312"):$PATH"
echo "sam-build.sh: Python 3.12 is $PYTHON312"

"$sam_venv/bin/sam" build --template-file template.yaml --build-dir "$build_dir" --parallel

# SAM's python builder ships function code as source only; Lambda's code is read-only, so each
# cold start would compile it again. cp312 bytecode, unchecked, as the layers have it.
echo "sam-build.sh: compiling cp312 bytecode into the functions"
for function_dir in "$build_dir"/*/; do
    [[ -d "$function_dir/python" ]] && continue  # a layer: build-layer.sh compiled it
    "$PYTHON312" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$function_dir" >/dev/null
done

"$project_python" -m infra.build.size_check "$build_dir"
