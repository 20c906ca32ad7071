package pgstore

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/cbl-lettings/cbl/register"
	"github.com/lib/pq"
)

// copyText writes n rows to table with one COPY whose rows are encoded as COPY text by
// the producer goroutines and sent a batch at a time on conn's driver connection
// (lib/pq's CopyData), not one database/sql Exec per row. For a national close's 757k
// entries the per-row path kept the server waiting: its COPY took 3.3–4.6 s against
// 1.4 s for the same rows from a file. w.conn is the connection w.tx runs on; the COPY
// is part of w.tx.
func (w *closeWriter) copyText(table string, cols []string, n int, add func(*rowBatch, int) error) error {
	batches, stop := produce(n, add)
	defer stop()
	// The COPY's error is kept out of Raw: given one that is driver.ErrBadConn (as a
	// COPY cancelled part way can end), Raw closes the Conn, which waits for the open
	// transaction's hold on it — for ever, since that transaction is ours to roll back.
	// Rolling it back (the caller's) discards the bad connection instead.
	var copyErr error
	if err := w.conn.Raw(func(dc any) error {
		copyErr = w.copyOn(dc, batches, table, cols, n)
		return nil
	}); err != nil {
		return err
	}
	return copyErr
}

// copyOn is copyText's COPY on the driver connection dc.
func (w *closeWriter) copyOn(dc any, batches <-chan rowBatch, table string, cols []string, n int) error {
	pc, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return fmt.Errorf("write %s: the driver cannot prepare a COPY", table)
	}
	st, err := pc.PrepareContext(w.ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	defer st.Close()
	data, ok := st.(interface {
		CopyData(context.Context, string) (driver.Result, error)
	})
	if !ok {
		return fmt.Errorf("write %s: the driver takes no COPY data", table)
	}
	err = w.stream(n, batches, func(b rowBatch) error {
		// Background: lib/pq would watch a cancellable context with a goroutine per
		// call; stream checks w.ctx between batches and cancels on the server.
		_, err := data.CopyData(context.Background(), string(b.text))
		return err
	}, func() error {
		_, err := st.Exec(nil) //nolint:staticcheck // lib/pq ends a COPY with Exec(nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	return nil
}

// copyTimeLayout is a timestamptz in COPY text (timeArg's times: UTC, microseconds).
const copyTimeLayout = "2006-01-02 15:04:05.999999Z07:00"

// copyLines writes n rows to table with one COPY, line appending row i as COPY text
// (copyFields): for the close's entries, whose 757k rows as []any were 11M boxed values
// for the collector. Only on the transaction's connection (w.conn).
func (w *closeWriter) copyLines(table string, cols []string, n int, line func(t []byte, i int) ([]byte, error)) error {
	if n == 0 {
		return nil
	}
	if w.conn == nil {
		return fmt.Errorf("write %s: COPY text needs the transaction's connection", table)
	}
	return w.copyText(table, cols, n, linesOf(line))
}

// copyFields appends one row's fields as COPY text, tab-separated, as appendCopyValue
// would encode timeArg's, dateArg's and bandArg's values.
type copyFields struct {
	b []byte
	n int
}

func (f *copyFields) sep() {
	if f.n > 0 {
		f.b = append(f.b, '\t')
	}
	f.n++
}

func (f *copyFields) int(v int64) { f.sep(); f.b = strconv.AppendInt(f.b, v, 10) }
func (f *copyFields) null()       { f.sep(); f.b = append(f.b, `\N`...) }
func (f *copyFields) str(s string) {
	f.sep()
	f.b = appendCopyString(f.b, s)
}

func (f *copyFields) bool(v bool) {
	f.sep()
	if v {
		f.b = append(f.b, 't')
	} else {
		f.b = append(f.b, 'f')
	}
}

// bytea is b in bytea's hex form, its backslash escaped for COPY.
func (f *copyFields) bytea(b []byte) {
	f.sep()
	f.b = append(f.b, `\\x`...)
	f.b = hex.AppendEncode(f.b, b)
}

// time is timeArg(t): NULL for the zero time.
func (f *copyFields) time(t time.Time) {
	if t.IsZero() {
		f.null()
		return
	}
	f.sep()
	f.b = t.UTC().Truncate(time.Microsecond).AppendFormat(f.b, copyTimeLayout)
}

// date is dateArg(d): NULL for the zero date, else YYYY-MM-DD.
func (f *copyFields) date(d register.Date) {
	if d.IsZero() {
		f.null()
		return
	}
	f.sep()
	y, m, day := d.YMD()
	f.b = appendPadded(f.b, y, 4)
	f.b = append(f.b, '-')
	f.b = appendPadded(f.b, int(m), 2)
	f.b = append(f.b, '-')
	f.b = appendPadded(f.b, day, 2)
}

// appendPadded appends v (≥ 0) in decimal, zero-padded to width digits.
func appendPadded(b []byte, v, width int) []byte {
	var digits [20]byte
	for n := len(strconv.AppendInt(digits[:0], int64(v), 10)); n < width; n++ {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(v), 10)
}

// band is bandArg(b): NULL for no band.
func (f *copyFields) band(b register.Band) {
	if b == register.NoBand {
		f.null()
		return
	}
	f.str(b.String())
}

// appendCopyRow appends args as one line of COPY text format, without the newline.
func appendCopyRow(b []byte, args []any) ([]byte, error) {
	for i, v := range args {
		if i > 0 {
			b = append(b, '\t')
		}
		var err error
		if b, err = appendCopyValue(b, v); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// appendCopyValue appends v in COPY text format: \N for NULL, and backslash, tab,
// newline and carriage return escaped in text (PostgreSQL docs, COPY, "Text Format").
func appendCopyValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, `\N`...), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case bool:
		if v {
			return append(b, 't'), nil
		}
		return append(b, 'f'), nil
	case string:
		return appendCopyString(b, v), nil
	case []byte:
		// bytea's hex form, its backslash escaped for COPY.
		b = append(b, `\\x`...)
		return hex.AppendEncode(b, v), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64), nil
	case time.Time:
		return v.AppendFormat(b, copyTimeLayout), nil
	case driver.Valuer:
		// As database/sql would send it (decimal's text, an array's literal), once.
		dv, err := v.Value()
		if err != nil {
			return nil, err
		}
		if _, again := dv.(driver.Valuer); !again {
			return appendCopyValue(b, dv)
		}
	}
	return nil, fmt.Errorf("COPY text: no encoding for %T", v)
}

func appendCopyString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\t':
			b = append(b, `\t`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		default:
			b = append(b, c)
		}
	}
	return b
}
