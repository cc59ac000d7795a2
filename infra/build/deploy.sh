#!/usr/bin/env bash
# make deploy STAGE=dev|prod: `sam deploy` of the built template with samconfig.toml's settings for
# that stage, then the web page (infra/build/publish_web.py).
#
# --config-file names the project's samconfig.toml: given only --template-file, the SAM CLI looks for
# samconfig.toml beside the built template, finds none and stops with "Missing option
# '--stack-name'" (aws-sam-cli #3629). tests/unit/infra/test_deploy_script.py keeps it so.
#
# Environment (all optional):
#   SAM_VENV      where aws-sam-cli lives (.venv-sam, installed by `make build`)
#   BUILD_DIR     sam build output (.aws-sam/build)
#   PY            the project's Python (.venv/bin/python)
#   SKIP_WEB=1    stop after sam deploy
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stage="${1:?usage: deploy.sh <stage> [extra sam deploy options]}"
shift
sam="${SAM_VENV:-$root/.venv-sam}/bin/sam"
build_dir="${BUILD_DIR:-$root/.aws-sam/build}"
export SAM_CLI_TELEMETRY=0

"$sam" deploy \
    --config-file "$root/samconfig.toml" \
    --config-env "$stage" \
    --template-file "$build_dir/template.yaml" \
    "$@"

if [[ "${SKIP_WEB:-}" != 1 ]]; then
    cd "$root"
    "${PY:-$root/.venv/bin/python}" -m infra.build.publish_web --stage "$stage"
fi
