package main

import (
	"encoding/csv"
	"encoding/json"
	stdhtml "html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cbl-lettings/cbl/internal/pgtest"
	"github.com/cbl-lettings/cbl/simulate"
	"github.com/cbl-lettings/cbl/snapshot"
	"github.com/stretchr/testify/require"
)

func TestGenerate_WritesReadableSnapshot(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "kw")
	code, out, errOut := run(t, "generate", "--seed", "2", dir)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `(?m)^applications\.csv +7000$`, out)
	s, err := snapshot.Read(dir)
	require.NoError(t, err)
	require.Len(t, s.Applications, 7000)

	dir2 := filepath.Join(t.TempDir(), "kw")
	_, out2, _ := run(t, "generate", "--seed", "2", dir2)
	require.Equal(t, out, out2)
	s2, err := snapshot.Read(dir2)
	require.NoError(t, err)
	require.Equal(t, s, s2, "the same seed writes the same register")

	// The register the other tests share is the one generate writes by default.
	dir3 := filepath.Join(t.TempDir(), "kw")
	code, _, errOut = run(t, "generate", dir3)
	require.Equal(t, 0, code, errOut)
	generated, err := snapshot.Read(dir3)
	require.NoError(t, err)
	shared, err := snapshot.Read(keywaysDir(t))
	require.NoError(t, err)
	require.Equal(t, generated, shared)

	code, _, errOut = run(t, "generate", "--size", "galaxy", dir)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "galaxy")
}

func TestSimulate_CompareFromSnapshot(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)

	args := []string{"simulate", "--register", dir, "--weeks", "6", "--compare", "nn-2025-proposed"}
	code, out, errOut := run(t, args...)
	require.Equal(t, 0, code, errOut)
	for _, want := range []string{"Summary: 6 weeks", "Lets by band", "Weeks from registration to let",
		"Band movement on the first day", "Why they move", "sharing_no_dependants", "housed under this policy only"} {
		require.Contains(t, out, want)
	}
	_, again, _ := run(t, args...)
	require.Equal(t, out, again, "same seed, same comparison")

	code, js, errOut := run(t, append(args, "--output", "json")...)
	require.Equal(t, 0, code, errOut)
	var c simulate.Study
	require.NoError(t, json.Unmarshal([]byte(js), &c))
	require.Equal(t, 6, c.Weeks)
	require.Equal(t, "nn-2025-proposed@1", c.Policies[1].Name)
	require.Equal(t, "North Northamptonshire Keyways Housing Allocation Scheme (2021, in force)", c.Policies[0].Title)
	require.Positive(t, c.Runs[0].Policies[0].Lets)
	require.Len(t, c.Movement, 6)

	code, cs, errOut := run(t, append(args, "--output", "csv")...)
	require.Equal(t, 0, code, errOut)
	first := strings.SplitN(cs, "\n\n", 2)[0]
	rows, err := csv.NewReader(strings.NewReader(first)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"measure", "nn-2021@1", "nn-2025-proposed@1", "difference"}, rows[0])
}

func TestSimulate_SinglePolicyAndErrors(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	code, out, errOut := run(t, "simulate", "--register", dir, "--weeks", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "nn-2021@1")
	require.NotContains(t, out, "difference")

	code, _, errOut = run(t, "simulate", "--register", dir, "--report", filepath.Join(t.TempDir(), "r.html"))
	require.Equal(t, 2, code, "a report needs two policies")
	require.Contains(t, errOut, "--compare")

	code, _, _ = run(t, "simulate", "--register", dir, "--compare", "nn-1999")
	require.Equal(t, 2, code)
	code, _, _ = run(t, "simulate", "--register", dir, "--weeks", "0")
	require.Equal(t, 2, code)
}

func TestSimulate_ReplayRecordedCycles(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	code, out, errOut := run(t, "simulate", "--register", dir, "--replay", "--compare", "nn-2025-proposed", "--output", "csv")
	require.Equal(t, 0, code, errOut)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 31, "a header and the 30 recorded homes")
	require.Equal(t, "let nn-2025-proposed@1", rows[0][12])

	code, _, _ = run(t, "simulate", "--register", dir, "--replay")
	require.Equal(t, 2, code, "--replay needs --compare")
}

// The database path reads the register with pgstore.Export and writes nothing: the same
// snapshot imported into PostgreSQL simulates exactly as from its directory.
func TestSimulate_FromDatabaseReadOnly(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	dsn := pgtest.DSN(t)
	code, _, errOut := run(t, "--dsn", dsn, "import", dir)
	require.Equal(t, 0, code, errOut)
	before := registerRows(t, openDSN(t, dsn))

	args := []string{"simulate", "--weeks", "3", "--compare", "nn-2025-proposed"}
	code, fromDB, errOut := run(t, append([]string{"--dsn", dsn}, args...)...)
	require.Equal(t, 0, code, errOut)
	_, fromDir, _ := run(t, append(args, "--register", dir)...)
	require.Equal(t, fromDir, fromDB)
	require.Equal(t, before, registerRows(t, openDSN(t, dsn)), "simulate writes nothing")
}

func TestSimulate_ConfigFile(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	cfg := filepath.Join(t.TempDir(), "sim.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"weeks": 2, "behaviour": {"refusal": 0, "no_reply": 0}}`), 0o644))
	code, out, errOut := run(t, "simulate", "--register", dir, "--config", cfg, "-o", "json")
	require.Equal(t, 0, code, errOut)
	var v simulate.Study
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, 2, v.Weeks)
	require.Positive(t, v.Runs[0].Policies[0].Offers)
	require.Zero(t, v.Runs[0].Policies[0].Refusals, "the file set refusals to zero")

	require.NoError(t, os.WriteFile(cfg, []byte(`{"behaviour": {"refusal": 2}}`), 0o644))
	code, _, errOut = run(t, "simulate", "--register", dir, "--config", cfg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "refusal")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"wekes": 2}`), 0o644))
	code, _, errOut = run(t, "simulate", "--register", dir, "--config", cfg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "wekes")
}

func TestSimulate_Report(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t) // what cbl generate DIR writes (TestGenerate_WritesReadableSnapshot)
	file := filepath.Join(t.TempDir(), "compare.html")
	code, out, errOut := run(t, "simulate", "--register", dir, "--weeks", "4", "--compare", "nn-2025-proposed", "--report", file)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "Summary: 4 weeks", "the tables still go to stdout")
	page, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, want := range []string{"Policy comparison: nn-2021@1 against nn-2025-proposed@1", "chart-lets", "chart-waits",
		"not qualifying", "registration date"} {
		require.Contains(t, string(page), want)
	}
	require.NotContains(t, string(page), "<script")
}

// The terminal and the report show the same figures: every row of the terminal's
// summary and lets-by-band tables appears in the report's outcomes and lets tables with
// the same cells, and the waits table's cells agree.
func TestSimulate_TerminalAndReportAgree(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t)
	file := filepath.Join(t.TempDir(), "r.html")
	code, out, errOut := run(t, "simulate", "--register", dir, "--weeks", "6", "--compare", "nn-2025-proposed",
		"--report", file, "-o", "csv")
	require.Equal(t, 0, code, errOut)
	page, err := os.ReadFile(file)
	require.NoError(t, err)
	tables := htmlTables(t, string(page))
	csvs := strings.Split(strings.TrimSpace(out), "\n\n")

	summary, err := csv.NewReader(strings.NewReader(csvs[0])).ReadAll()
	require.NoError(t, err)
	outcomes := map[string][]string{}
	for _, r := range tables["table-outcomes"][1:] {
		outcomes[r[0]] = r[1:]
	}
	require.Len(t, outcomes, len(summary)-1, "the report has every summary row, and no other")
	for _, r := range summary[1:] {
		require.Equal(t, r[1:], outcomes[r[0]], r[0])
	}
	lets, err := csv.NewReader(strings.NewReader(csvs[1])).ReadAll()
	require.NoError(t, err)
	for i, r := range lets[1:] {
		require.Equal(t, append([]string{"Band " + r[0]}, r[1:]...), tables["table-lets"][1+i])
	}
	waits, err := csv.NewReader(strings.NewReader(csvs[2])).ReadAll()
	require.NoError(t, err)
	html := map[[2]string][]string{}
	for _, r := range tables["table-waits"][2:] {
		html[[2]string{r[0], r[1]}] = r[2:]
	}
	for _, r := range waits[1:] {
		if r[0] == "none" {
			continue // lets to households with no band at close: the report's panels are bands
		}
		got := html[[2]string{r[0], r[1]}]
		require.NotNil(t, got, "band %s size %s", r[0], r[1])
		for i := range r[2:] {
			want := r[2+i]
			if want != "–" && i%4 != 0 { // weeks: one decimal in both
				require.Equal(t, strings.TrimSuffix(got[i], ".0"), want, "band %s size %s cell %d", r[0], r[1], i)
				continue
			}
			require.Equal(t, want, got[i], "band %s size %s cell %d", r[0], r[1], i)
		}
	}
	// Lets by age and by disability (issue 15): the terminal's tables are the report's,
	// a withheld count "[c]" in one and "–" in the other.
	require.GreaterOrEqual(t, len(csvs), 5, "the terminal prints lets by age and by disability")
	for k, by := range []string{"age", "disability"} {
		groups, err := csv.NewReader(strings.NewReader(csvs[len(csvs)-2+k])).ReadAll()
		require.NoError(t, err)
		require.Equal(t, by, groups[0][0])
		html := tables["table-group-"+by]
		require.Len(t, html, len(groups), "the report has every %s row", by)
		for i, r := range groups[1:] {
			for j := range r {
				r[j] = strings.ReplaceAll(r[j], "[c]", "–")
			}
			require.Equal(t, r, html[1+i], "%s row %d", by, i)
		}
	}
}

// htmlTables reads each <table id=…> of page into rows of cell texts.
func htmlTables(t *testing.T, page string) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, part := range strings.Split(page, "<table")[1:] {
		id := ""
		if i := strings.Index(part, `id="`); i >= 0 && i < strings.Index(part, ">") {
			id = part[i+4 : i+4+strings.Index(part[i+4:], `"`)]
		}
		body := part[:strings.Index(part, "</table>")]
		for _, tr := range strings.Split(body, "<tr")[1:] {
			var row []string
			for _, cell := range regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`).FindAllStringSubmatch(tr, -1) {
				text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(cell[1], " ")
				row = append(row, strings.Join(strings.Fields(stdhtml.UnescapeString(text)), " "))
			}
			out[id] = append(out[id], row)
		}
	}
	return out
}

// --out writes one long-form CSV per table, readable as one table each: the per-let
// rows add up to the lets the summary reports, per seed and policy, and the README
// names every file.
func TestSimulate_OutTidy(t *testing.T) {
	t.Parallel()
	dir := keywaysDir(t)
	out := filepath.Join(t.TempDir(), "out")
	code, js, errOut := run(t, "simulate", "--register", dir, "--weeks", "3", "--seeds", "2", "--compare", "nn-2025-proposed",
		"--out", out, "-o", "json")
	require.Equal(t, 0, code, errOut)
	var st simulate.Study
	require.NoError(t, json.Unmarshal([]byte(js), &st))
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join(out, "*.csv"))
	require.NoError(t, err)
	require.Len(t, files, 8)
	tables := map[string][][]string{}
	for _, f := range files {
		name := filepath.Base(f)
		require.Contains(t, string(readme), "`"+name+"`")
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll() // one table: equal-length rows
		require.NoError(t, err, name)
		require.Greater(t, len(rows), 1, name)
		tables[strings.TrimSuffix(name, ".csv")] = rows
	}
	lets := map[string]int{}
	for _, r := range tables["lets"][1:] {
		lets[r[0]+" "+r[1]]++
		_, err := strconv.ParseFloat(r[14], 64)
		require.NoError(t, err, "wait_weeks is a number")
		require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, r[13])
	}
	for _, c := range st.Runs {
		for i, p := range st.Policies {
			require.Equal(t, c.Policies[i].Lets, lets[strconv.FormatUint(c.Seed, 10)+" "+p.Name])
		}
	}
	require.Equal(t, []string{"seed", "policy", "week", "cycle", "band", "register", "lets"}, tables["weekly"][0])
	require.Len(t, tables["weekly"], 1+2*2*3*6, "seeds × policies × weeks × bands")
	require.Len(t, tables["movement"], 1+6*6)
}

// With neither --register nor a database configured, simulate generates the register
// itself and says so, so README's simulate line works on a fresh machine: the figures
// are those of the register cbl generate writes with the same seed.
func TestSimulate_NoRegisterGeneratesOne(t *testing.T) {
	for _, k := range []string{"DATABASE_URL", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE"} {
		t.Setenv(k, "")
	}
	code, out, errOut := run(t, "simulate", "--weeks", "2")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "simulating a synthetic keyways register of 7000 applications generated with seed 1")
	_, want, _ := run(t, "simulate", "--weeks", "2", "--register", keywaysDir(t))
	require.Equal(t, want, out)
}
