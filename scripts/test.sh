#!/usr/bin/env bash
# Runs gofmt, go vet and go test against a real PostgreSQL. The server is, in order:
#   1. the one DATABASE_URL or the PG* variables name, if set (it must answer);
#   2. else a throwaway cluster: initdb in a temp dir, on a free port (5432 and up are
#      skipped when taken), fsync off; stopped and deleted at exit. It needs initdb and
#      pg_ctl on PATH or under /usr/lib/postgresql/*/bin; takes ~2-3 s to start;
#   3. else a server already answering at 127.0.0.1:5432;
#   4. else, only when asked with CBL_INSTALL=1 (as .ci/run does) and run as root with
#      apt-get: apt-get install postgresql, then 2;
#   5. else fails, saying what to do.
# Test databases are named cbl_test_<run>_..., <run> being this run's PGTEST_RUN (see
# internal/pgtest); each is dropped when its test ends, and at exit this script drops
# whatever this run left (a killed test process) -- and no other database.
# PGTEST_REQUIRE=1 is set, so with a server found no database test can skip; with none
# found the script fails (with CI=true a database test fails rather than skips anyway).
# Chromium: report's TestWrite_RendersInChromium screenshots the HTML report in headless
# chromium. The browser is $CBL_CHROMIUM if set, else chromium, chromium-browser or
# google-chrome on PATH, else /usr/bin/chromium; else, only with CBL_INSTALL=1 as root with
# apt-get, Debian's chromium is installed (~30 s). With a browser found, CBL_CHROMIUM and
# CBL_REQUIRE_CHROMIUM=1 are exported so the test cannot skip; with none, it skips
# (saying so) -- unless CI=true, when it fails.
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

# ready [pg_isready args]: the server answers. Without pg_isready, only a -p PORT given
# is checked (by a TCP connection); otherwise the tests will say.
ready() {
	local isready
	if isready=$(pgbin pg_isready); then
		"$isready" -q -t 3 "$@"
		return
	fi
	while [[ $# -gt 0 ]]; do
		[[ $1 == -p ]] && { listening "$2"; return; }
		shift
	done
}

local_url() { echo "postgres://postgres@127.0.0.1:$1/postgres?sslmode=disable"; }

# as_postgres CMD...: run as the postgres user when we are root (initdb refuses root).
as_postgres() {
	if [[ $(id -u) -eq 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# cleanups run at exit, last added first.
cleanups=()
on_exit() {
	local i
	for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" || true; done
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP # so the EXIT trap runs then too

# start_throwaway: initdb a cluster in a temp dir on a free port from 5432, export
# DATABASE_URL for it, and stop and delete it at exit.
start_throwaway() {
	local initdb pgctl p tmpdir
	initdb=$(pgbin initdb) || return 1
	pgctl=$(pgbin pg_ctl) || return 1
	tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/cbl-pg.XXXXXX")
	cleanups+=("rm -rf '$tmpdir'")
	[[ $(id -u) -eq 0 ]] && chown postgres "$tmpdir"
	as_postgres "$initdb" -D "$tmpdir/data" -U postgres -A trust -E UTF8 --no-sync >"$tmpdir/initdb.log" 2>&1 ||
		die "initdb failed: $(cat "$tmpdir/initdb.log")"
	# Another run may take the same free port between our look and our start: try the next.
	for p in $(seq 5432 5531); do
		listening "$p" && continue
		log "starting a throwaway cluster in $tmpdir on port $p"
		if as_postgres "$pgctl" -D "$tmpdir/data" -l "$tmpdir/server.log" -w -o \
			"-p $p -k $tmpdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >/dev/null; then
			cleanups+=("as_postgres '$pgctl' -D '$tmpdir/data' -m immediate -w stop >/dev/null 2>&1")
			unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSSLMODE PGSERVICE
			export DATABASE_URL
			DATABASE_URL=$(local_url "$p")
			return 0
		fi
		listening "$p" || die "could not start postgres: $(cat "$tmpdir/server.log")"
	done
	die "no free port for a throwaway cluster in 5432-5531"
}

# install_postgres: apt-get install postgresql, when asked to with CBL_INSTALL=1.
install_postgres() {
	[[ ${CBL_INSTALL:-0} == 1 ]] || return 1
	[[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || die "CBL_INSTALL=1: installing needs root and apt-get"
	log "CBL_INSTALL=1 and no PostgreSQL: installing it with apt-get"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } ||
		die "apt-get install postgresql failed"
}

find_server() {
	if [[ -n ${DATABASE_URL:-} ]]; then
		ready -d "$DATABASE_URL" || die "DATABASE_URL does not answer"
		return 0
	fi
	if [[ -n ${PGHOST:-}${PGPORT:-}${PGSERVICE:-}${PGDATABASE:-}${PGUSER:-} ]]; then
		ready || die "no server at PGHOST=${PGHOST:-} PGPORT=${PGPORT:-} PGSERVICE=${PGSERVICE:-}"
		return 0
	fi
	start_throwaway && return 0
	if ready -h 127.0.0.1 -p 5432; then
		export DATABASE_URL
		DATABASE_URL=$(local_url 5432)
		return 0
	fi
	install_postgres && start_throwaway && return 0
	die "no PostgreSQL server found or startable. Install PostgreSQL (or run with CBL_INSTALL=1
  as root to have this script apt-get it), or set DATABASE_URL to a server where this user
  may CREATE DATABASE."
}

# drop_run_leftovers: drop the databases this run's tests left (a test process killed
# before its cleanups ran). Names are cbl_test_<run>_..., so no other run's are touched.
drop_run_leftovers() {
	local psql names n conn=()
	psql=$(pgbin psql) || {
		log "no psql: cannot check for databases this run left (cbl_test_${PGTEST_RUN}_*)"
		return 0
	}
	[[ -n ${DATABASE_URL:-} ]] && conn=("$DATABASE_URL")
	names=$("$psql" "${conn[@]}" -X -At -v ON_ERROR_STOP=1 \
		-c "SELECT datname FROM pg_database WHERE starts_with(datname, 'cbl_test_${PGTEST_RUN}_')" 2>/dev/null) || return 0
	for n in $names; do
		log "dropping $n, left by this run"
		"$psql" "${conn[@]}" -X -q -c "DROP DATABASE IF EXISTS \"$n\" WITH (FORCE)" >/dev/null 2>&1 || true
	done
}

# apt_install PACKAGE...: apt-get install without recommends; apt-get update only when the
# install fails without it (a fresh image's package lists may be missing or stale).
apt_install() {
	local q=(-y -qq --no-install-recommends)
	DEBIAN_FRONTEND=noninteractive apt-get install "${q[@]}" "$@" >/dev/null 2>&1 && return 0
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install "${q[@]}" "$@" >/dev/null
}

# chromium_path: the first browser found, from $CBL_CHROMIUM, PATH or /usr/bin/chromium.
chromium_path() {
	local b
	for b in "${CBL_CHROMIUM:-}" chromium chromium-browser google-chrome /usr/bin/chromium; do
		[[ -n $b ]] && command -v "$b" && return 0
	done
	return 1
}

# find_chromium: export CBL_CHROMIUM and CBL_REQUIRE_CHROMIUM=1 when there is a browser
# (installing Debian's chromium with CBL_INSTALL=1), else say the browser test will skip.
find_chromium() {
	local start=$SECONDS
	if ! CBL_CHROMIUM=$(chromium_path); then
		if [[ ${CBL_INSTALL:-0} != 1 ]]; then
			log "no chromium: the report's browser test will $([[ ${CI:-} == true ]] && echo fail || echo skip)." \
				"Install chromium, or run with CBL_INSTALL=1 as root to have this script apt-get it."
			unset CBL_CHROMIUM
			return 0
		fi
		[[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null || die "CBL_INSTALL=1: installing chromium needs root and apt-get"
		log "CBL_INSTALL=1 and no chromium: installing it with apt-get"
		# With no font at all chromium draws no text; DejaVu Sans is in the report's font list.
		apt_install chromium fonts-dejavu-core || die "apt-get install chromium failed"
		CBL_CHROMIUM=$(chromium_path) || die "apt-get install chromium gave no chromium"
		log "installed chromium in $((SECONDS - start)) s"
	fi
	export CBL_CHROMIUM CBL_REQUIRE_CHROMIUM=1 # found: the browser test must not skip
	log "using $CBL_CHROMIUM for the report's browser test"
}

find_server
find_chromium
log "using ${DATABASE_URL:-PG* environment}"
export PGTEST_REQUIRE=1 # a database test must not skip here: the server is up
export PGTEST_RUN
PGTEST_RUN=r$(date +%s)_$$
cleanups+=(drop_run_leftovers)

unformatted=$(gofmt -l .)
[[ -z $unformatted ]] || die "gofmt needed on: $unformatted"
go vet ./...
race=()
[[ ${RACE:-0} == 1 ]] && race=(-race)
if [[ $# -gt 0 ]]; then
	go test "${race[@]}" "$@"
else
	go test "${race[@]}" ./...
	# A module outside this one embedding the library through its public packages.
	(cd examples/embed && go vet ./... && go test "${race[@]}" ./...)
fi
