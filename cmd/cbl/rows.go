package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cbl-lettings/cbl/register"
)

// london is where the scheme's times are shown.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// PrintRows writes rows, a slice of structs, in the --output format. The columns are the
// structs' fields in order, named by their json tags. JSON is typed (numbers, booleans,
// null for a nil pointer) in field order, straight from the structs; the table and CSV
// show times in Europe/London (RFC 3339), dates as YYYY-MM-DD and nil as empty.
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
		return enc.Encode(rows)
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
