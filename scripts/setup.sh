#!/usr/bin/env bash
# Set up lvsocial in ./.venv (idempotent): Python packages pinned in pyproject.toml, then the dbt manifest.
# LVSOCIAL_EXTRAS picks the optional groups (default `dev`; the tests use `dev,postgres,spark`).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -m uv --version >/dev/null 2>&1; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check uv
fi
EXTRAS="${LVSOCIAL_EXTRAS:-dev}"
echo "Installing lvsocial and its pinned dependencies ([$EXTRAS])"
if ! .venv/bin/python -m uv pip install --quiet --python .venv/bin/python -e ".[$EXTRAS]"; then
  echo "uv failed; falling back to pip"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$EXTRAS]"
fi
.venv/bin/lvsocial prepare
