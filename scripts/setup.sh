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
# --compile-bytecode: every process (each dbt build, each check's child, each test's run) would otherwise compile
# dagster, dbt, pandas and GX from source again where PYTHONDONTWRITEBYTECODE is set, as on CI machines: about 3 s
# per process (BENCHMARKS.md, "Bytecode").
if ! .venv/bin/python -m uv pip install --quiet --compile-bytecode --python .venv/bin/python -e ".[$EXTRAS]"; then
  echo "uv failed; falling back to pip"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$EXTRAS]"
fi
# The project's own modules too (git-ignored __pycache__; a file edited later is compiled in memory until then).
.venv/bin/python -m compileall -q -j 0 orchestration ingestion expectations bench >/dev/null || true
.venv/bin/lvsocial prepare
