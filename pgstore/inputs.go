package pgstore

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/cbl-lettings/cbl/replay"
	"github.com/cbl-lettings/cbl/shortlist"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ErrNoInputs means a cycle has no recorded inputs: it is not closed, or was closed
// before cbl kept what closes ranked from (schema version 11).
var ErrNoInputs = errors.New("no recorded inputs")

// ErrInputsChanged means a cycle's recorded inputs were changed after its close: they
// no longer read, or no longer match the digest recorded with them.
var ErrInputsChanged = errors.New("recorded inputs changed after the close")

// ErrInputsPurged means a cycle's households' states were removed under the policy's
// retention (cycle.inputs_retention_days); its digest stays.
var ErrInputsPurged = errors.New("recorded households purged under the retention setting")

// recordedHead is the last state kept of a household: the close whose states hold it,
// and its digest.
type recordedHead struct {
	cycle  int64
	digest [32]byte
}

// recordedHeads reads the last state kept of each application f admits. A close reads
// them with the register, on its second connection (the same snapshot), so that
// encodeInputs can pick the states to keep while the entries are written.
func recordedHeads(ctx context.Context, tx *sqlx.Tx, f appFilter) (map[int64]recordedHead, error) {
	var heads []struct {
		Application int64  `db:"application"`
		Cycle       int64  `db:"cycle"`
		Digest      []byte `db:"digest"`
	}
	if err := tx.SelectContext(ctx, &heads, `SELECT DISTINCT ON (application) application, cycle, digest
		FROM recorded_states`+f.where("application")+` ORDER BY application, cycle DESC`, f.args()...); err != nil {
		return nil, fmt.Errorf("read recorded states: %w", err)
	}
	last := make(map[int64]recordedHead, len(heads))
	for _, h := range heads {
		last[h.Application] = recordedHead{h.Cycle, [32]byte(h.Digest)}
	}
	return last, nil
}

// encodedInputs are a close's inputs as cycle_inputs and recorded_states keep them
// (migration 0011), ready to write: kept at once, the gzipped parts once done is
// closed.
type encodedInputs struct {
	policy string
	digest [32]byte
	// head, apps and states are gzipped: the inputs without the households, the map
	// from each household to the close whose states hold it, and the states this close
	// keeps (nil if none). They are set when done is closed.
	head, apps, states []byte
	done               chan struct{}
	households         int
	kept               []keptState
}

// keptState is a recorded_states row.
type keptState struct {
	application int64
	digest      [32]byte
}

// encodeInputs puts in into its stored parts for cycle's close, keeping only the
// states that differ from the last kept (last, from recordedHeads). A close runs it
// while it writes its entries: JSON, SHA-256 and gzip of a national close's households
// take seconds. It returns once the digests are known (the recorded_states rows); the
// compressing goes on, so that the close writes those rows meanwhile (e.done).
func encodeInputs(cycle int64, in *replay.Inputs, last map[int64]recordedHead) (*encodedInputs, error) {
	head, apps, err := in.Parts()
	if err != nil {
		return nil, err
	}
	e := &encodedInputs{policy: in.Cycle.Policy, digest: replay.DigestOf(head, apps), households: len(apps),
		done: make(chan struct{})}
	held := make([][2]int64, len(apps))  // application, the close whose states hold it
	changed := make([]int, 0, len(apps)) // the households whose states this close keeps
	e.kept = make([]keptState, 0, len(apps))
	for i, a := range apps {
		id, sum := in.Applications[i].ID, sha256.Sum256(a)
		if h, ok := last[id]; ok && h.digest == sum {
			held[i] = [2]int64{id, h.cycle}
			continue
		}
		held[i] = [2]int64{id, cycle}
		changed = append(changed, i)
		e.kept = append(e.kept, keptState{id, sum})
	}
	mapJSON, err := json.Marshal(held)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(e.done)
		// The head (a national week's 40 MB of bids) compresses alongside the households.
		var wg sync.WaitGroup
		wg.Go(func() { e.head = gzipLines([][]byte{head}) })
		if len(changed) > 0 {
			e.states = gzipEach(len(changed), func(zw *gzip.Writer, k int) {
				i := changed[k]
				var num [24]byte
				zw.Write(append(strconv.AppendInt(num[:0], in.Applications[i].ID, 10), '\t'))
				zw.Write(apps[i])
			})
		}
		e.apps = gzipLines([][]byte{mapJSON})
		wg.Wait()
	}()
	return e, nil
}

// inputs writes what cycle's close ranked from: one cycle_inputs row holding the states
// of the households whose state differs from the one last kept, and the map from every
// household that reached a shortlist to the close whose row holds its state. The
// recorded_states rows go first, while e is still compressing.
func (w *closeWriter) inputs(cycle int64, e *encodedInputs) error {
	if err := asWriter(w.ctx, w.tx); err != nil {
		return err
	}
	err := w.copyLines("recorded_states", []string{"application", "cycle", "digest"}, len(e.kept), func(t []byte, k int) ([]byte, error) {
		f := copyFields{b: t}
		f.int(e.kept[k].application)
		f.int(cycle)
		f.bytea(e.kept[k].digest[:])
		return f.b, nil
	})
	if err != nil {
		return err
	}
	<-e.done
	if _, err := w.tx.ExecContext(w.ctx, `INSERT INTO cycle_inputs (cycle, policy, digest, head, applications, states, households)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, cycle, e.policy, e.digest[:], e.head, e.apps, e.states, e.households); err != nil {
		return fmt.Errorf("write cycle inputs: %w", err)
	}
	return nil
}

// gzipLines is one gzip stream per half of lines (a reader takes them as one), each line
// ended by a newline: two cores compress a national close's states at once.
func gzipLines(lines [][]byte) []byte {
	return gzipEach(len(lines), func(zw *gzip.Writer, i int) { zw.Write(lines[i]) })
}

// gzipEach is gzipLines of the n lines line writes (line k by line(zw, k)), without
// them copied into lines first.
func gzipEach(n int, line func(zw *gzip.Writer, k int)) []byte {
	half := (n + 1) / 2
	parts := [2][]byte{}
	var wg sync.WaitGroup
	for p, r := range [2][2]int{{0, half}, {half, n}} {
		if r[0] == r[1] {
			continue
		}
		wg.Go(func() {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
			for k := r[0]; k < r[1]; k++ {
				line(zw, k)
				zw.Write([]byte{'\n'})
			}
			zw.Close()
			parts[p] = buf.Bytes()
		})
	}
	wg.Wait()
	return append(parts[0], parts[1]...)
}

// eachLine calls fn with each line gzipLines compressed into b, streaming: the line is
// the reader's buffer, valid until fn returns.
func eachLine(b []byte, fn func(line []byte) error) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(zr, 1<<16)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer (a household with a long history): whole.
			rest, rerr := br.ReadBytes('\n')
			line, err = append(bytes.Clone(line), rest...), rerr
		}
		if len(line) > 0 {
			if ferr := fn(bytes.TrimSuffix(line, []byte{'\n'})); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// gunzipLines is the lines gzipLines compressed.
func gunzipLines(b []byte) ([][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	// Sized from the compressed length (JSON compresses about tenfold here): growing from
	// nothing, as io.ReadAll does, cost a national trace a second of copying and zeroing.
	buf := bytes.NewBuffer(make([]byte, 0, 12*len(b)))
	if _, err := io.Copy(buf, zr); err != nil {
		return nil, err
	}
	all := buf.Bytes()
	all = bytes.TrimSuffix(all, []byte{'\n'})
	if len(all) == 0 {
		return nil, nil
	}
	return bytes.Split(all, []byte{'\n'}), nil
}

// lineApplication is the application a states line ("id<TAB>JSON") is of.
func lineApplication(l []byte) (int64, error) {
	id, _, ok := bytes.Cut(l, []byte{'\t'})
	app, err := strconv.ParseInt(string(id), 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("line %q", l[:min(len(l), 40)])
	}
	return app, nil
}

// InputsRecord is what cycle_inputs says of one closed cycle.
type InputsRecord struct {
	Cycle      int64        `db:"cycle" json:"cycle"`
	Policy     string       `db:"policy" json:"policy"`
	Digest     []byte       `db:"digest" json:"-"`
	Households int          `db:"households" json:"households"`
	RecordedAt time.Time    `db:"recorded_at" json:"recorded_at"`
	PurgedAt   sql.NullTime `db:"purged_at" json:"-"`
}

// CycleInputs reads what cycle's close ranked from, and checks it against the digest
// recorded with it: an error names a changed record. ErrNoInputs if none was kept,
// ErrInputsPurged if its households were removed under the retention setting.
func CycleInputs(ctx context.Context, db sqlx.QueryerContext, cycle int64) (*replay.Inputs, *InputsRecord, error) {
	return cycleInputs(ctx, db, cycle, nil)
}

// cycleInputs is CycleInputs with only the households want keeps decoded (all when want
// is nil); the digest is checked over all of them.
func cycleInputs(ctx context.Context, db sqlx.QueryerContext, cycle int64, want func(app int64) bool) (*replay.Inputs, *InputsRecord, error) {
	var r struct {
		InputsRecord
		Head         []byte `db:"head"`
		Applications []byte `db:"applications"`
	}
	err := sqlx.GetContext(ctx, db, &r, `SELECT cycle, policy, digest, households, recorded_at, purged_at, head, applications
		FROM cycle_inputs WHERE cycle = $1`, cycle)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("cycle %d: %w (not closed, or closed before schema version 11)", cycle, ErrNoInputs)
	}
	if err != nil {
		return nil, nil, err
	}
	if r.PurgedAt.Valid {
		return nil, &r.InputsRecord, fmt.Errorf("cycle %d: %w on %s", cycle, ErrInputsPurged, r.PurgedAt.Time.UTC().Format(time.DateOnly))
	}
	rec := &r.InputsRecord
	bad := func(what string, err error) error {
		return fmt.Errorf("cycle %d: %w: %s: %w", cycle, ErrInputsChanged, what, err)
	}
	head, err := gunzipLines(r.Head)
	if err != nil || len(head) != 1 {
		return nil, rec, bad("head", errors.Join(err, errors.New("not one line")))
	}
	mapLines, err := gunzipLines(r.Applications)
	if err != nil || len(mapLines) != 1 {
		return nil, rec, bad("applications", errors.Join(err, errors.New("not one line")))
	}
	var held [][2]int64
	if err := json.Unmarshal(mapLines[0], &held); err != nil {
		return nil, rec, bad("applications", err)
	}
	from := make(map[int64]int64, len(held))
	var closes []int64
	seen := map[int64]bool{}
	for _, h := range held {
		from[h[0]] = h[1]
		if !seen[h[1]] {
			seen[h[1]] = true
			closes = append(closes, h[1])
		}
	}
	var chunks []struct {
		Cycle  int64  `db:"cycle"`
		States []byte `db:"states"`
	}
	if err := sqlx.SelectContext(ctx, db, &chunks, `SELECT cycle, states FROM cycle_inputs
		WHERE cycle = ANY($1) AND states IS NOT NULL`, pq.Array(closes)); err != nil {
		return nil, nil, err
	}
	state := make(map[int64][]byte, len(held))
	for _, c := range chunks {
		err := eachLine(c.States, func(l []byte) error {
			app, err := lineApplication(l)
			if err != nil {
				return err
			}
			if from[app] == c.Cycle && (want == nil || want(app)) {
				// Lines are the reader's buffer: kept ones are copied.
				state[app] = bytes.Clone(l[bytes.IndexByte(l, '\t')+1:])
			}
			return nil
		})
		if err != nil {
			return nil, rec, bad(fmt.Sprintf("states kept at cycle %d's close", c.Cycle), err)
		}
	}
	apps := make([][]byte, 0, len(held))
	for _, h := range held {
		if want != nil && !want(h[0]) {
			continue
		}
		st := state[h[0]]
		if st == nil {
			return nil, rec, bad("states", fmt.Errorf("application %d's state, kept at cycle %d's close, is missing", h[0], h[1]))
		}
		apps = append(apps, st)
	}
	// The digest needs every household's state: a trace (want) decodes its advert's
	// alone and leaves the check to cycle verify, which a national register's 250 MB of
	// states made take seconds.
	if want == nil {
		if d := replay.DigestOf(head[0], apps); !bytes.Equal(d[:], r.Digest) {
			return nil, rec, fmt.Errorf("cycle %d: %w: they hash to sha256 %x, the close recorded %x", cycle, ErrInputsChanged, d, r.Digest)
		}
	}
	in, err := replay.FromParts(head[0], apps)
	if err != nil {
		return nil, rec, bad("JSON", err)
	}
	return in, &r.InputsRecord, nil
}

// CycleShortlists reads the shortlists stored at cycle's close, in advert order.
func CycleShortlists(ctx context.Context, db sqlx.QueryerContext, cycle int64) ([]shortlist.Shortlist, error) {
	var heads []shortlistHead
	if err := sqlx.SelectContext(ctx, db, &heads, `SELECT id, advert, policy FROM shortlists
		WHERE cycle = $1 ORDER BY advert`, cycle); err != nil {
		return nil, err
	}
	var rows []shortlistEntryRow
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT `+shortlistEntryColumns+` FROM shortlist_entries
		WHERE cycle = $1 ORDER BY shortlist, position NULLS LAST, application`, cycle); err != nil {
		return nil, err
	}
	return assembleShortlists(heads, rows), nil
}
