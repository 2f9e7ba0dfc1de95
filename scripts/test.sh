#!/usr/bin/env bash
# README command 2: set up, then run the test suite (one pipeline run on the sample, shared by the mart tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
