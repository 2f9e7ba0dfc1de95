#!/usr/bin/env bash
# A throwaway PostgreSQL server for the postgres target's tests and CI, on 127.0.0.1 with its own data folder.
#   bash scripts/postgres.sh start DIR [PORT]   initdb DIR (if new), start on PORT (default 55432), create the
#                                              role and database `lvsocial`; prints the LVSOCIAL_PG_* exports
#   bash scripts/postgres.sh stop DIR          stop the server of DIR
# Installs Debian's postgresql package first when no initdb is found (needs root or sudo).
set -euo pipefail
action="${1:?usage: postgres.sh start|stop DIR [PORT]}"
dir="$(mkdir -p "${2:?data folder}" && cd "$2" && pwd)"
port="${3:-55432}"

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir="$candidate"
done
if [ -z "$bindir" ] && [ "$action" = start ]; then
  echo "PostgreSQL is not installed: installing Debian's postgresql package" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir="$candidate"
  done
fi
[ -n "$bindir" ] || { echo "error: no PostgreSQL server binaries (initdb) found" >&2; exit 2; }

# The server refuses to run as root: as root, run it as the `postgres` user Debian's package creates.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bindir/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
    psql_() { "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
    if [ "$(psql_ -d postgres -c "select 1 from pg_roles where rolname = 'lvsocial'")" != 1 ]; then
      psql_ -d postgres -c "create role lvsocial login createdb"
    fi
    if [ "$(psql_ -d postgres -c "select 1 from pg_database where datname = 'lvsocial'")" != 1 ]; then
      psql_ -d postgres -c "create database lvsocial owner lvsocial"
    fi
    echo "export LVSOCIAL_PG_HOST=127.0.0.1 LVSOCIAL_PG_PORT=$port LVSOCIAL_PG_USER=lvsocial LVSOCIAL_PG_PASSWORD= LVSOCIAL_PG_DATABASE=lvsocial"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >&2 || true
    ;;
  *) echo "usage: postgres.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
