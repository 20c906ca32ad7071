#!/usr/bin/env bash
# Runs gofmt, go vet and go test against a real PostgreSQL, finding or starting one:
#   1. the server named by DATABASE_URL or PG* variables, else 127.0.0.1:5432;
#   2. else a stopped local cluster on that port (pg_ctlcluster);
#   3. else a throwaway cluster (initdb) in a temp dir on a free port, stopped at exit;
#   4. else, as root with apt-get, installs postgresql and starts it;
#   5. else fails, saying what to do.
# Extra arguments go to go test (e.g. scripts/test.sh -run TestImport ./cmd/...).
# RACE=1 adds -race (slower: about double on a 2-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "test.sh: $*" >&2; }
die() {
	log "$*"
	exit 1
}

# pgbin NAME: path of a PostgreSQL program, from PATH or the newest /usr/lib/postgresql.
pgbin() {
	local p
	if p=$(command -v "$1" 2>/dev/null); then
		echo "$p"
		return 0
	fi
	for p in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [[ -x $p/$1 ]]; then
			echo "$p/$1"
			return 0
		fi
	done
	return 1
}

# listening PORT: something accepts TCP connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ready [pg_isready args]: the server answers.
ready() {
	local isready
	if isready=$(pgbin pg_isready); then
		"$isready" -q -t 3 "$@"
	else
		listening "${port:-5432}"
	fi
}

local_url() { echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

wait_ready() {
	for _ in $(seq 1 30); do
		ready -h 127.0.0.1 -p "$1" && return 0
		sleep 0.5
	done
	return 1
}

# as_postgres CMD...: run as the postgres user when we are root (initdb refuses root).
as_postgres() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# start_cluster PORT: start a stopped pg_ctlcluster cluster listening on PORT.
start_cluster() {
	command -v pg_lsclusters >/dev/null || return 1
	local ver name cport status
	while read -r ver name cport status _; do
		[[ $cport == "$1" ]] || continue
		if [[ $status != online* ]]; then
			log "starting cluster $ver/$name on port $cport"
			pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || return 1
		fi
		wait_ready "$cport" || return 1
		export DATABASE_URL=${DATABASE_URL:-$(local_url "$cport")}
		return 0
	done < <(pg_lsclusters --no-header 2>/dev/null)
	return 1
}

# start_throwaway PORT: initdb a cluster in a temp dir on PORT (or a free port if taken),
# export DATABASE_URL for it, and stop and delete it when this script exits.
start_throwaway() {
	local initdb pgctl p=$1
	initdb=$(pgbin initdb) || return 1
	pgctl=$(pgbin pg_ctl) || return 1
	if listening "$p"; then
		p=55432
		while listening "$p"; do p=$((p + 1)); done
	fi
	tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/cbl-pg.XXXXXX")
	[[ $(id -u) -eq 0 ]] && chown postgres "$tmpdir"
	log "starting a throwaway cluster in $tmpdir on port $p"
	as_postgres "$initdb" -D "$tmpdir/data" -U postgres -A trust -E UTF8 --no-sync >"$tmpdir/initdb.log" 2>&1 ||
		die "initdb failed: $(cat "$tmpdir/initdb.log")"
	trap 'as_postgres "'"$pgctl"'" -D "'"$tmpdir"'/data" -m immediate -w stop >/dev/null 2>&1; rm -rf "'"$tmpdir"'"' EXIT
	as_postgres "$pgctl" -D "$tmpdir/data" -l "$tmpdir/server.log" -w -o \
		"-p $p -k $tmpdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || die "could not start postgres: $(cat "$tmpdir/server.log")"
	unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSSLMODE PGSERVICE
	export DATABASE_URL
	DATABASE_URL=$(local_url "$p")
}

find_server() {
	port=5432
	if [[ -n ${DATABASE_URL:-} ]]; then
		ready -d "$DATABASE_URL" && return 0
		log "DATABASE_URL does not answer"
		port=$(sed -nE 's#^postgres(ql)?://[^/]*:([0-9]+)(/.*)?$#\2#p' <<<"$DATABASE_URL")
		port=${port:-5432}
	elif [[ -n ${PGHOST:-}${PGPORT:-} ]]; then
		ready && return 0
		log "no server at PGHOST=${PGHOST:-} PGPORT=${PGPORT:-}"
		port=${PGPORT:-5432}
	elif ready -h 127.0.0.1 -p 5432; then
		export DATABASE_URL
		DATABASE_URL=$(local_url 5432)
		return 0
	fi
	start_cluster "$port" && return 0
	start_throwaway "$port" && return 0
	if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
		log "no PostgreSQL installed: installing it with apt-get"
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null ||
			die "apt-get install postgresql failed"
		start_cluster 5432 && return 0
		start_throwaway "$port" && return 0
	fi
	die "no PostgreSQL server found or startable. Install PostgreSQL (e.g. apt-get install postgresql)
  and start it, or set DATABASE_URL to a server where this user may CREATE DATABASE."
}

find_server
log "using ${DATABASE_URL:-PG* environment}"
export PGTEST_REQUIRE=1 # a database test must not skip here: the server is up

unformatted=$(gofmt -l .)
[[ -z $unformatted ]] || die "gofmt needed on: $unformatted"
go vet ./...
race=()
[[ ${RACE:-0} == 1 ]] && race=(-race)
if [[ $# -gt 0 ]]; then
	go test "${race[@]}" "$@"
else
	go test "${race[@]}" ./...
fi
