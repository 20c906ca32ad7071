package report_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The sample page renders its charts in a real browser: scripts/report-screenshot.sh runs
// headless chromium on it (network cut off) and fails unless the charts are in the rendered
// DOM. Skipped with -short or where chromium is not installed (the script would install it,
// which a unit test should not do).
func TestWrite_RendersInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "sample.html")
	require.NoError(t, os.WriteFile(page, []byte(render(t, sample(t))), 0o644))
	cmd := exec.Command("../scripts/report-screenshot.sh", page, filepath.Join(dir, "sample.png"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "ok: charts chart-lets, chart-waits and chart-movement rendered")
	info, err := os.Stat(filepath.Join(dir, "sample.png"))
	require.NoError(t, err)
	require.Greater(t, info.Size(), int64(10000), "a screenshot of a page with charts is not tiny")
}
