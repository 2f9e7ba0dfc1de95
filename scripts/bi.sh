#!/usr/bin/env bash
# Apache Superset on lvsocial's published copy, in its own venv (.bi-venv, git-ignored) so the pipeline's pins stay.
#   bash scripts/bi.sh start [PORT]   install if needed, initialise, start on 127.0.0.1:PORT (default 8088) in the
#                                     background and register the database, datasets, charts and the dashboard
#                                     from deploy/superset/lvsocial.json (scripts/bi_setup.py)
#   bash scripts/bi.sh stop           stop the server started by `start`
# The published copy is the one beside $LVSOCIAL_WAREHOUSE (default warehouse/lvsocial.duckdb); Superset's own
# metadata goes to $SUPERSET_HOME (default superset/ beside the warehouse file). Log in as admin / admin
# ($BI_ADMIN_PASSWORD): local use only.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
WAREHOUSE="${LVSOCIAL_WAREHOUSE:-$REPO/warehouse/lvsocial.duckdb}"
PUBLISHED="$(dirname "$WAREHOUSE")/published/lvsocial.duckdb"
export SUPERSET_HOME="${SUPERSET_HOME:-$(dirname "$WAREHOUSE")/superset}"
export SUPERSET_CONFIG_PATH="$REPO/deploy/superset/superset_config.py"
export FLASK_APP=superset SUPERSET_LOAD_EXAMPLES=no
PASSWORD="${BI_ADMIN_PASSWORD:-admin}"
VENV="$REPO/.bi-venv"
PIDFILE="$SUPERSET_HOME/superset.pid"

install() {
  [ -x "$VENV/bin/superset" ] && return
  echo "Installing Apache Superset into $VENV"
  local start=$SECONDS
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
  # apache-superset 6.1.0 imports rich and cachetools without declaring them, and fails with Flask-Caching 2.5 (its
  # cache classes lack `ignore_delete_many_errors`): all three here. SQLAlchemy is Superset's own 1.4.
  "$VENV/bin/python" -m uv pip install --quiet --compile-bytecode --python "$VENV/bin/python" "apache-superset==6.1.0" \
    "flask-caching==2.3.1" "rich>=13" "cachetools>=5" "duckdb==2.0.0" "duckdb-engine==0.17.0"
  echo "installed in $((SECONDS - start)) s; $(du -sh "$VENV" | cut -f1)"
}

case "${1:-}" in
  start)
    PORT="${2:-8088}"
    [ -f "$PUBLISHED" ] || { echo "no published copy at $PUBLISHED: run lvsocial run first" >&2; exit 2; }
    install
    mkdir -p "$SUPERSET_HOME"
    if [ ! -f "$SUPERSET_HOME/superset.db" ]; then
      echo "Initialising Superset in $SUPERSET_HOME"
      "$VENV/bin/superset" db upgrade >"$SUPERSET_HOME/init.log" 2>&1
      "$VENV/bin/superset" fab create-admin --username admin --firstname lvsocial --lastname admin \
        --email admin@localhost --password "$PASSWORD" >>"$SUPERSET_HOME/init.log" 2>&1
      "$VENV/bin/superset" init >>"$SUPERSET_HOME/init.log" 2>&1
    fi
    setsid "$VENV/bin/superset" run -h 127.0.0.1 -p "$PORT" --with-threads >"$SUPERSET_HOME/server.log" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 120); do
      if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/health', timeout=2)" 2>/dev/null; then
        "$VENV/bin/python" scripts/bi_setup.py "http://127.0.0.1:$PORT" "$PUBLISHED" admin "$PASSWORD" >"$SUPERSET_HOME/registered.json"
        echo "Superset on http://127.0.0.1:$PORT (admin / $PASSWORD): dashboard /superset/dashboard/lvsocial/"
        exit 0
      fi
      kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { tail -30 "$SUPERSET_HOME/server.log" >&2; exit 1; }
      sleep 1
    done
    echo "Superset did not answer within 120 s; log: $SUPERSET_HOME/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      kill -- -"$(cat "$PIDFILE")" 2>/dev/null || kill "$(cat "$PIDFILE")" 2>/dev/null || true
      rm -f "$PIDFILE"
    fi
    ;;
  *)
    echo "usage: bash scripts/bi.sh start [PORT] | stop" >&2
    exit 2
    ;;
esac
