package geo

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on a CSV file an import reads, besides those of the data model
// (limits.go) that every incident meets: the file as a whole is at most
// MaxDataBytes, as a GeoJSON file is.
const (
	// MaxCSVRecordBytes bounds one record (one incident): as much as a
	// write through the API may send.
	MaxCSVRecordBytes = 1 << 20
	// MaxCSVColumns bounds the header row.
	MaxCSVColumns = 200
)

// csvTable reads a CSV file of named columns (our CSV, ACLED's) a
// record at a time, with the line each starts on. A UTF-8 byte order
// mark before the header (as spreadsheets write one) is skipped.
type csvTable struct {
	r      *csv.Reader
	header []string
	cols   map[string]int
	offset int64 // where the next record starts
}

// csvRow is one record of a csvTable.
type csvRow struct {
	line  int // where the record starts, from 1
	cells []string
	cols  map[string]int
	err   error // the record is unusable as a whole: its width or size
}

// get returns the cell of column name, "" when the file has no such
// column.
func (r *csvRow) get(name string) string {
	if i, ok := r.cols[name]; ok && i < len(r.cells) {
		return r.cells[i]
	}
	return ""
}

// errTooLarge is an input past MaxDataBytes.
var errTooLarge = fmt.Errorf("more than %d bytes, the most an import reads", MaxDataBytes)

// limitedReader reads at most n bytes and then fails: a file past the
// limit is refused, not cut short.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(l.r, one[:]); n > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// newCSVTable reads the header row of r, a file in format what.
func newCSVTable(r io.Reader, what string) (*csvTable, error) {
	br := bufio.NewReaderSize(&limitedReader{r: r, n: MaxDataBytes}, 64<<10)
	bom := int64(0)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3) // peeked: cannot fail
		bom = 3
	}
	t := &csvTable{r: csv.NewReader(br)}
	t.r.ReuseRecord = true
	header, err := t.r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file, want a header row", what)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", what, err)
	}
	if len(header) > MaxCSVColumns {
		return nil, fmt.Errorf("%s: header: %d columns, at most %d", what, len(header), MaxCSVColumns)
	}
	t.header = append([]string(nil), header...)
	t.cols = make(map[string]int, len(header))
	for i, name := range t.header {
		name = strings.TrimSpace(name)
		t.header[i] = name
		if _, dup := t.cols[name]; dup {
			return nil, fmt.Errorf("%s: header: column %q twice", what, name)
		}
		t.cols[name] = i
	}
	t.r.FieldsPerRecord = len(header)
	t.offset = t.r.InputOffset() + bom
	return t, nil
}

// require reports the first of columns the header lacks.
func (t *csvTable) require(columns []string) error {
	for _, c := range columns {
		if _, ok := t.cols[c]; !ok {
			return fmt.Errorf("header: no column %q", c)
		}
	}
	return nil
}

// next returns the next record, or io.EOF after the last. A record of
// the wrong width or size comes back with its err set; a file that stops
// being CSV is an error that names its line and column.
func (t *csvTable) next() (*csvRow, error) {
	cells, err := t.r.Read()
	if err == io.EOF {
		return nil, io.EOF
	}
	row := &csvRow{cells: cells, cols: t.cols}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, csv.ErrFieldCount) {
			return nil, err // a ParseError says where
		}
		row.err = fmt.Errorf("%d cells, want one for each of the header's %d columns", len(cells), len(t.header))
	}
	row.line, _ = t.r.FieldPos(0)
	end := t.r.InputOffset()
	size := end - t.offset
	t.offset = end
	if size > MaxCSVRecordBytes {
		row.err = fmt.Errorf("%d bytes, at most %d", size, MaxCSVRecordBytes)
	}
	return row, nil
}

// each calls fn with every row of the table, as the format (named in
// errors) reads it: the row's line, and decode's incident or every
// problem with it; a row unusable as a whole is a problem of "row",
// named by the id id makes of what it holds. It stops at fn's first
// error, or where the input stops being CSV, and returns that.
func (t *csvTable) each(format string, id func(*csvRow) string, decode func(int, *csvRow) (Incident, *FeatureError), fn func(Checked) error) error {
	for i := 0; ; i++ {
		row, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", format, err)
		}
		c := Checked{Index: i, Line: row.line}
		if row.err != nil {
			c.Err = &FeatureError{Index: i, ID: id(row), Field: "row", Err: row.err}
		} else {
			c.Incident, c.Err = decode(i, row)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
}
