#!/bin/bash
# bench-close.sh CBL SNAPSHOT fresh|settled — one national close as a user runs it:
# a new database, cbl migrate, cbl import SNAPSHOT, then cbl cycle close 1 at once
# (fresh: PostgreSQL still analysing and vacuuming the new tables) or after VACUUM
# ANALYZE and CHECKPOINT (settled). Prints the wall time, CPU and peak RSS of the close,
# the database's growth and the WAL written (cluster-wide) meanwhile. Touches only the
# database it creates (cbl_bench_close), which it drops. BENCHMARKS.md has the figures.
#
#   go run ./internal/tools/gensnap -scale england -out /tmp/eng
#   go build -o /tmp/cbl ./cmd/cbl && scripts/bench-close.sh /tmp/cbl /tmp/eng fresh
set -euo pipefail
cbl=$1 snap=$2 mode=$3
db=cbl_bench_close
psql="psql -h ${PGHOST:-127.0.0.1} -U ${PGUSER:-postgres} -qtAX"
dsn="postgres://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:5432/$db?sslmode=disable"
$psql -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
$psql -c "CREATE DATABASE $db"
trap '$psql -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
"$cbl" --dsn "$dsn" migrate >/dev/null
"$cbl" --dsn "$dsn" import "$snap" >/dev/null
if [ "$mode" = settled ]; then $psql -d $db -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; fi
size0=$($psql -c "SELECT pg_database_size('$db')")
wal0=$($psql -c "SELECT pg_current_wal_lsn()")
echo "$mode, load $(cut -d' ' -f1-3 /proc/loadavg)"
CBL_CPUPROFILE=${CBL_CPUPROFILE:-} /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KB, minor faults %R" "$cbl" --dsn "$dsn" cycle close 1 >/dev/null
size1=$($psql -c "SELECT pg_database_size('$db')")
echo "database grew $(( (size1 - size0) / 1000000 )) MB, WAL $(( $($psql -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal0')" | cut -d. -f1) / 1000000 )) MB"
