#!/usr/bin/env bash
# Renders an HTML report in a real headless browser (Debian's chromium) with the network
# cut off, screenshots it, dumps the rendered DOM and checks that the charts are in it.
#
#   scripts/report-screenshot.sh FILE.html OUT.png
#
# The browser is $CHROMIUM, else chromium, chromium-browser or google-chrome on PATH, else
# /usr/bin/chromium; when there is none it installs Debian's chromium with apt-get (needs
# root). Each run of the browser is killed after TIMEOUT seconds (default 60).
# Writes OUT.png and OUT.dom.html (the DOM after rendering). Fails if the rendered page refers to anything on
# the network, or if a chart id or its SVG <title> is missing from the rendered DOM.
# WIDTH and HEIGHT set the window (default 1200 × 2400). SHRINK=1 then quantises OUT.png
# with pngquant (installed with apt-get if missing) so it is small enough to commit.
set -euo pipefail

log() { echo "report-screenshot.sh: $*" >&2; }
die() {
	log "$*"
	exit 1
}

[[ $# -eq 2 ]] || die "usage: $0 FILE.html OUT.png"
html=$(realpath "$1")
out=$(realpath -m "$2")
[[ -f $html ]] || die "$1: no such file"
dom=${out%.png}.dom.html
width=${WIDTH:-1200}
height=${HEIGHT:-2400}

# The browser: $CHROMIUM (scripts/test.sh passes the one it found), else the first of these.
browser=
for b in "${CHROMIUM:-}" chromium chromium-browser google-chrome /usr/bin/chromium; do
	if [[ -n $b ]] && command -v "$b" >/dev/null; then
		browser=$(command -v "$b")
		break
	fi
done
if [[ -z $browser ]]; then
	[[ $(id -u) -eq 0 ]] || die "chromium is not installed; install it (apt-get install chromium) or run as root"
	log "installing chromium with apt-get"
	# apt-get update only if the lists are too old or missing to install from.
	pkgs=(chromium fonts-dejavu-core)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 || {
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
	}
	browser=$(command -v chromium) || die "apt-get install chromium did not provide chromium"
fi

profile=$(mktemp -d "${TMPDIR:-/tmp}/report-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT

# No network: every host resolves nowhere, so the screenshot shows the page as it renders
# offline (a page that needed a script, font or image would come out broken).
# --no-sandbox because CI runs as root, where chromium refuses to start sandboxed;
# --disable-dev-shm-usage because a container's /dev/shm can be too small for it.
flags=(
	--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--disable-extensions --hide-scrollbars --force-device-scale-factor=1
	--host-resolver-rules="MAP * ~NOTFOUND"
	--user-data-dir="$profile" --window-size="$width,$height"
)

# A browser that hangs (no display, a stuck GPU process) must not hang CI: a page this size
# renders in a few seconds.
limit=${TIMEOUT:-60}
log "screenshot $html -> $out"
timeout -k 5 "$limit" "$browser" "${flags[@]}" --screenshot="$out" "file://$html" \
	>"$profile/shot.log" 2>&1 || die "chromium failed: $(tail -5 "$profile/shot.log")"
[[ -s $out ]] || die "no screenshot written: $(tail -5 "$profile/shot.log")"

log "rendered DOM -> $dom"
timeout -k 5 "$limit" "$browser" "${flags[@]}" --dump-dom "file://$html" >"$dom" 2>"$profile/dom.log" ||
	die "chromium --dump-dom failed: $(tail -5 "$profile/dom.log")"

# The page must not refer to anything but itself. (Chromium's own background requests
# are blocked by the resolver rule above; they are not the page's.)
if grep -noE '(https?|wss?|ftp)://[^"'"'"' )<]*' "$dom" | head -5 | grep .; then
	die "the rendered page refers to the network (above); it must be self-contained"
fi

missing=0
for id in chart-lets chart-waits chart-movement; do
	if ! grep -q "id=\"$id\"" "$dom"; then
		log "missing from the rendered DOM: #$id"
		missing=1
	fi
done
for id in chart-lets chart-waits; do
	if ! grep -qE "<svg id=\"$id\"[^>]*>" "$dom" || ! grep -q "<title id=\"$id-title\">" "$dom"; then
		log "missing from the rendered DOM: <svg id=$id> with its <title>"
		missing=1
	fi
done
bars=$(grep -o '<rect [^>]*class="p[12]"' "$dom" | wc -l)
[[ $bars -gt 0 ]] || {
	log "no bars (rect.p1 / rect.p2) in the rendered DOM"
	missing=1
}
[[ $missing -eq 0 ]] || die "the rendered page lacks charts (DOM kept in $dom)"
if [[ ${SHRINK:-0} == 1 ]]; then
	if ! command -v pngquant >/dev/null; then
		[[ $(id -u) -eq 0 ]] || die "SHRINK=1 needs pngquant (apt-get install pngquant)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pngquant >/dev/null
	fi
	pngquant --quality 70-95 --speed 1 --strip --force --output "$out" "$out"
fi
log "ok: charts chart-lets, chart-waits and chart-movement rendered, $bars bars, $(stat -c %s "$out") byte screenshot"
