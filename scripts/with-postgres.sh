#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster: initdb in a temp dir,
# a free port, DATABASE_URL exported, and the cluster stopped and removed on exit
# (even when the command fails). As root, the cluster runs as the `postgres` user.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL 15 is not installed; installing Debian's package." >&2
  if [ "$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; fi
fi

as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

DATA=$(mktemp -d /tmp/cymuned-pg.XXXXXX)
chmod 755 "$DATA"
[ "$(id -u)" = "0" ] && chown postgres "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -l "$DATA/log" -w \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" start >/dev/null
as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres cymuned

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/cymuned"
echo "PostgreSQL 15 on port $PORT for this run." >&2
set +e
"$@"
status=$?
set -e
exit $status
