package report_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The sample page renders its charts in a real browser: scripts/report-screenshot.sh runs
// headless chromium on it (network cut off) and fails unless the charts are in the rendered
// DOM. Skipped with -short, or where no chromium is installed (a unit test installs
// nothing; scripts/test.sh does, with CBL_INSTALL=1) -- but where the browser is required,
// CI=true or CBL_REQUIRE_CHROMIUM=1 (as scripts/test.sh sets on finding one), a missing
// browser fails the test, so CI cannot pass without looking at the page.
func TestWrite_RendersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := findChromium()
	if browser == "" {
		msg := "no chromium (looked at $CBL_CHROMIUM, chromium, chromium-browser, google-chrome, /usr/bin/chromium).\n" +
			"  Install it (apt-get install --no-install-recommends chromium), or run scripts/test.sh\n" +
			"  with CBL_INSTALL=1 as root to have it installed."
		if os.Getenv("CI") == "true" || os.Getenv("CBL_REQUIRE_CHROMIUM") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "sample.html")
	require.NoError(t, os.WriteFile(page, []byte(render(t, sample(t))), 0o644))
	// The script kills each browser run after 60 s; this is the backstop should the
	// script itself hang.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../scripts/report-screenshot.sh", page, filepath.Join(dir, "sample.png"))
	cmd.Env = append(os.Environ(), "CHROMIUM="+browser)
	// Killing the script can leave a browser holding its output open; stop waiting then.
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "ok: charts chart-lets, chart-waits and chart-movement rendered")
	info, err := os.Stat(filepath.Join(dir, "sample.png"))
	require.NoError(t, err)
	require.Greater(t, info.Size(), int64(10000), "a screenshot of a page with charts is not tiny")
}

// findChromium is the browser scripts/test.sh found ($CBL_CHROMIUM), else the first of
// the usual names on PATH, else Debian's path; "" if none.
func findChromium() string {
	for _, name := range []string{os.Getenv("CBL_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
