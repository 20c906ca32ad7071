package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/policy"
	"github.com/cbl-lettings/cbl/register"
)

// london is where the scheme's times are shown and read: the time zone of the shipped
// policy (cycle.time_zone, Europe/London), not a second statement of it.
var london = func() *time.Location {
	p, err := policy.Builtins().AtTime("nn-2021", time.Now())
	if err != nil {
		return time.UTC
	}
	return p.Location()
}()

// PrintRows writes rows, a slice of structs, in the --output format. The columns are the
// structs' fields in order, named by their json tags. JSON is typed (numbers, booleans,
// null for a nil pointer) in field order, straight from the structs; every format shows
// times in Europe/London (RFC 3339 with the offset), dates as YYYY-MM-DD; tables and CSV
// show nil as empty.
func (app *App) PrintRows(rows any) error {
	v := reflect.ValueOf(rows)
	if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Struct {
		return fmt.Errorf("PrintRows: want a slice of structs, got %T", rows)
	}
	if app.Output == "json" {
		if v.Len() == 0 {
			_, err := fmt.Fprintln(app.Stdout, "[]")
			return err
		}
		enc := json.NewEncoder(app.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(inLondon(v).Interface())
	}
	t := v.Type().Elem()
	var header []string
	var fields []int
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "-" || !t.Field(i).IsExported() {
			continue
		}
		if name == "" {
			name = t.Field(i).Name
		}
		header, fields = append(header, name), append(fields, i)
	}
	out := make([][]string, v.Len())
	for r := range v.Len() {
		for _, i := range fields {
			out[r] = append(out[r], cell(v.Index(r).Field(i)))
		}
	}
	return app.Print(header, out)
}

// inLondon is a copy of rows with every time field (or pointer to one) in Europe/London,
// so JSON shows the same instants the table does, with their UTC offset.
func inLondon(rows reflect.Value) reflect.Value {
	out := reflect.MakeSlice(rows.Type(), rows.Len(), rows.Len())
	reflect.Copy(out, rows)
	tt := reflect.TypeFor[time.Time]()
	for r := range out.Len() {
		row := out.Index(r)
		for i := range row.NumField() {
			f := row.Field(i)
			switch {
			case !f.CanSet():
			case f.Type() == tt:
				f.Set(reflect.ValueOf(f.Interface().(time.Time).In(london)))
			case f.Kind() == reflect.Pointer && f.Type().Elem() == tt && !f.IsNil():
				t := f.Elem().Interface().(time.Time).In(london)
				f.Set(reflect.ValueOf(&t))
			}
		}
	}
	return out
}

// cell renders one value for a table or CSV.
func cell(f reflect.Value) string {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	switch x := f.Interface().(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(london).Format(time.RFC3339Nano)
	case register.Date:
		if x.IsZero() {
			return ""
		}
		return x.String()
	case fmt.Stringer:
		return x.String()
	}
	if ids, ok := f.Interface().([]int64); ok {
		return joinIDs(ids)
	}
	switch f.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(f.Bool())
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(f.Int(), 10)
	case reflect.String:
		return f.String()
	}
	return fmt.Sprint(f.Interface())
}
