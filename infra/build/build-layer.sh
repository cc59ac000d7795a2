#!/usr/bin/env bash
# Build one Lambda layer for python3.12 x86_64 into ARTIFACTS_DIR/python (SAM makefile builds).
#
#   build-layer.sh --source DIR [--package NAME] [--bundle] [--no-deps] [--code-only] ARTIFACTS_DIR
#
# Without --package, only the requirements are installed (a libraries layer); with --code-only,
# only the package is copied (no requirements installed).
#
# Wheels are resolved for Lambda's platform, not this machine's: Lambda's python3.12 has glibc
# 2.34, so manylinux_2_34 down to manylinux_2_17. pip does not expand a manylinux_2_28 tag to
# older ones by itself (pydantic-core ships only manylinux_2_17 wheels), and manylinux2014 alone
# silently resolves old releases (pandas 2.3, scikit-learn 1.7): hence the explicit list.
# Then: tests, stubs and caches removed, extension modules stripped (never the bundled
# OpenBLAS & co. in *.libs/: stripping those breaks imports), and cp312 .pyc compiled back in
# with unchecked hashes, because /opt is read-only and nothing is cached between cold starts.
# Needs PYTHON312 (set by infra/build/sam-build.sh) and `strip` (binutils).
set -euo pipefail

source_dir="" package="" bundle=0 no_deps=() code_only=0
while [[ $# -gt 1 ]]; do
    case "$1" in
        --source) source_dir="$2"; shift 2 ;;
        --package) package="$2"; shift 2 ;;
        --bundle) bundle=1; shift ;;
        --no-deps) no_deps=(--no-deps); shift ;;
        --code-only) code_only=1; shift ;;
        *) echo "build-layer.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
artifacts_dir="${1:?usage: build-layer.sh --source DIR [--package NAME] [--bundle] [--no-deps] [--code-only] ARTIFACTS_DIR}"
python312="${PYTHON312:?PYTHON312 is not set: run the build through infra/build/sam-build.sh}"
requirements="$source_dir/requirements.txt"

needed_files=("$requirements")
[[ -n "$package" ]] && needed_files+=("$source_dir/$package/__init__.py")
for needed in "${needed_files[@]}"; do
    [[ -f "$needed" ]] || { echo "build-layer.sh: $needed:1:1: missing" >&2; exit 1; }
done
label="${package:-$(basename "$source_dir")}"
command -v strip >/dev/null || {
    echo "build-layer.sh: 'strip' not found: install binutils (apt-get install binutils)" >&2
    exit 1
}

step() { echo "build-layer.sh: $label: $* (${SECONDS}s)"; }

target="$artifacts_dir/python"
rm -rf "$target"
mkdir -p "$target"

if [[ "$code_only" == 0 ]]; then
step "pip install for manylinux x86_64 cp312"
"$python312" -m pip install --quiet --disable-pip-version-check --no-compile \
    --platform manylinux_2_34_x86_64 --platform manylinux_2_28_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --implementation cp --python-version 3.12 \
    --only-binary=:all: "${no_deps[@]}" --target "$target" -r "$requirements"

# Lambda's python3.12 runtime ships boto3 and botocore; a second copy only adds megabytes.
rm -rf "$target"/boto3 "$target"/boto3-* "$target"/botocore "$target"/botocore-* \
    "$target"/s3transfer "$target"/s3transfer-*

step "removing tests, stubs and caches; stripping extension modules"
find "$target" -depth -type d \( -name tests -o -name __pycache__ \) -exec rm -rf {} +
find "$target" -type f \( -name '*.pyi' -o -name '*.pyc' -o -name '*.pyx' -o -name '*.pxd' \) -delete
find "$target" -type f -name '*.so*' -not -path '*.libs/*' -exec strip --strip-unneeded {} +
fi

if [[ -n "$package" ]]; then
    cp -R "$source_dir/$package" "$target/$package"
    find "$target/$package" -depth -type d -name __pycache__ -exec rm -rf {} +
fi
if [[ "$bundle" == 1 ]]; then
    cp -R "$source_dir/bundle" "$target/bundle"
fi

step "compiling cp312 bytecode"
"$python312" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$target" >/dev/null
step "done: $(du -sm "$target" | cut -f1) MB"
