# Start (source this file) a throwaway PostgreSQL 15 cluster in a temporary directory and
# export DATABASE_URL for it; `pg_stop` stops it and removes the directory.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGPORT=${PGPORT:-55432}
PGTMP=$(mktemp -d /tmp/entracte-pg.XXXXXX)
chmod 777 "$PGTMP"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w start \
  -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c max_connections=500 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" >/dev/null
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGTMP"; }
export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/entracte"
