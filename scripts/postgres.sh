#!/usr/bin/env bash
# A throwaway PostgreSQL 15 on loopback, for the shared-study tests and for trying
# `edgesnn tune --storage postgresql://...` on one machine.
#
#   scripts/postgres.sh start DIR [PORT]   init DIR (once), start on 127.0.0.1:PORT (default 55432),
#                                          create user/database "edgesnn"; prints the storage URL
#   scripts/postgres.sh url DIR            prints the URL of a started server
#   scripts/postgres.sh stop DIR           stops it (DIR stays; `rm -rf DIR` to discard)
#
# Installs the Debian package (postgresql-15) with apt-get when it is missing and we are root.
# The server runs as the unprivileged "postgres" user when started by root (postgres refuses root).
set -euo pipefail

cmd=${1:-}; dir=${2:-}; port=${3:-55432}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|url DIR [PORT]" >&2; exit 1; }

find_bin() {
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [[ -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  return 1
}

bin=$(find_bin || true)
if [[ -z "$bin" && "$cmd" == start ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing postgresql-15 (Debian package)..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
    bin=$(find_bin)
  else
    echo "error: PostgreSQL 15 is not installed; run as root or: sudo apt-get install postgresql-15" >&2
    exit 1
  fi
fi

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

data="$dir/data"
case "$cmd" in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd); data="$dir/data"
    [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
    if [[ ! -f "$data/PG_VERSION" ]]; then
      as_pg "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100" start >/dev/null
    fi
    port=$(sed -n 4p "$data/postmaster.pid")
    psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA)
    if [[ -z $("${psql[@]}" -c "select 1 from pg_roles where rolname='edgesnn'") ]]; then
      "${psql[@]}" -c "create user edgesnn password 'edgesnn'" >/dev/null
    fi
    if [[ -z $("${psql[@]}" -c "select 1 from pg_database where datname='edgesnn'") ]]; then
      "${psql[@]}" -c "create database edgesnn owner edgesnn" >/dev/null
    fi
    echo "postgresql://edgesnn:edgesnn@127.0.0.1:$port/edgesnn"
    ;;
  url)
    port=$(sed -n 4p "$data/postmaster.pid")
    echo "postgresql://edgesnn:edgesnn@127.0.0.1:$port/edgesnn"
    ;;
  stop)
    [[ -f "$data/postmaster.pid" ]] && as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "stopped" >&2
    ;;
  *) echo "usage: $0 start|stop|url DIR [PORT]" >&2; exit 1 ;;
esac
