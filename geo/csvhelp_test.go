package geo_test

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func newCSVReader(data []byte) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	return r
}

// encodeCSV writes rows as CSV with encoding/csv: a file as another
// program could write it.
func encodeCSV(t testing.TB, rows [][]string) []byte {
	t.Helper()
	b, err := csvBytes(rows)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func csvBytes(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	err := w.WriteAll(rows)
	return buf.Bytes(), err
}
