#!/usr/bin/env bash
# README command 2: set up, then run the test suite (one pipeline run on the sample, shared by the mart tests).
# `--fast` runs only tests/unit and tests/pipeline (markers `unit or pipeline`: no runs of their own, no PostgreSQL,
# Spark or browser) for daily work; every other argument goes to pytest as it is.
# Both run in LVSOCIAL_TEST_WORKERS pytest-xdist workers (default 2; 0 runs in this process): the files that share a
# session fixture of their own stay in one worker (tests/conftest.py, XDIST_GROUPS and its scheduler).
set -euo pipefail
cd "$(dirname "$0")/.."
fast=0
args=()
workers="${LVSOCIAL_TEST_WORKERS:-2}"
parallel=()
if [ "$workers" != 0 ]; then parallel=(-n "$workers"); fi
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
if [ "$fast" = 1 ]; then
  LVSOCIAL_EXTRAS="dev" bash scripts/setup.sh
  # The other folders hold no test of these markers; not collecting them spares importing PostgreSQL and Spark.
  exec .venv/bin/python -m pytest -m "unit or pipeline" --ignore=tests/runs --ignore=tests/engines \
    ${parallel[@]+"${parallel[@]}"} ${args[@]+"${args[@]}"}
fi
# The engine tests build the sample on PostgreSQL and Spark too: their optional packages, Java for Spark.
LVSOCIAL_EXTRAS="dev,postgres,spark" bash scripts/setup.sh

# The browser test (tests/engines/test_ui_browser.py) drives Debian's Chromium through its chromedriver.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium and chromium-driver for the browser test"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q chromium chromium-driver; then
      apt-get update -q
      apt-get install -y -q chromium chromium-driver
    fi
  else
    echo "error: the browser test needs chromium and chromium-driver (Debian packages) on PATH;" >&2
    echo "       install them as root: apt-get install -y chromium chromium-driver" >&2
    exit 1
  fi
fi
# Spark (tests/engines/conftest.py) runs in a JVM: Java 17 or newer.
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing a Java runtime for Spark"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless \
      || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless; }
  else
    echo "error: the Spark tests need Java 17+ (java on PATH); as root: apt-get install -y openjdk-17-jre-headless" >&2
    exit 1
  fi
fi
# PostgreSQL: the server LVSOCIAL_PG_* names (CI starts one), else the tests start a throwaway one themselves
# (scripts/postgres.sh, which installs Debian's postgresql package when it is missing).
exec .venv/bin/python -m pytest ${parallel[@]+"${parallel[@]}"} ${args[@]+"${args[@]}"}
