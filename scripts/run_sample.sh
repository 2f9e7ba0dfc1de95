#!/usr/bin/env bash
# README command 1: set up, then run the whole pipeline on the shipped sample into warehouse/lvsocial.duckdb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/lvsocial run "$@"
