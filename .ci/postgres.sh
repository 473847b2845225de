#!/usr/bin/env bash
# Start a throwaway PostgreSQL on 127.0.0.1:$PGPORT and print its URL.
# Installs the Debian package when the server binaries are missing.
set -euo pipefail
PGPORT=${PGPORT:-55432}
PGDATA=${PGDATA_DIR:-/tmp/notifier-pgdata}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "installing PostgreSQL (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA" 2>/dev/null || true
  as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  as_pg "'$bindir/initdb' -D '$PGDATA' -U postgres -A trust --no-sync -E UTF8 >/dev/null"
  as_pg "'$bindir/pg_ctl' -D '$PGDATA' -o \"-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$PGDATA/log' -w start >/dev/null"
fi
echo "postgresql+asyncpg://postgres@127.0.0.1:$PGPORT/postgres"
