#!/usr/bin/env bash
# README command 2: set up, then run the test suite (one pipeline run on the sample, shared by the mart tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# The browser test (tests/test_ui_browser.py) drives Debian's Chromium through its chromedriver.
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
exec .venv/bin/python -m pytest "$@"
