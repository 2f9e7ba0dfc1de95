"""Superset's configuration for scripts/bi.sh: its metadata in SQLite under $SUPERSET_HOME, no examples, no
telemetry; the lvsocial published copy is a DuckDB file opened read-only (duckdb-engine)."""

import os

SUPERSET_HOME = os.environ["SUPERSET_HOME"]
SECRET_KEY = os.environ.get("SUPERSET_SECRET_KEY", "lvsocial-local-superset-only")  # local use; set your own
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_HOME}/superset.db"
DATA_DIR = SUPERSET_HOME
WTF_CSRF_ENABLED = False  # the API is driven by scripts/bi_setup.py with a bearer token
TALISMAN_ENABLED = False
PREVENT_UNSAFE_DB_CONNECTIONS = False
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
SQLLAB_CTAS_NO_LIMIT = True
SUPERSET_WEBSERVER_TIMEOUT = 120
