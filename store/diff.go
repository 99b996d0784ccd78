package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// Diff returns the fields that differ between two versions of an
// incident's Feature (nil before for a create, nil after for a delete):
// "geometry" and each of "properties.*", in that order and then by name,
// with their JSON values in a canonical form. Lists (sources, actors) count as one
// field each.
func Diff(before, after []byte) ([]FieldChange, error) {
	a, err := fields(before)
	if err != nil {
		return nil, fmt.Errorf("diff: before: %w", err)
	}
	b, err := fields(after)
	if err != nil {
		return nil, fmt.Errorf("diff: after: %w", err)
	}
	names := make([]string, 0, len(a)+len(b))
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.SortFunc(names, func(x, y string) int {
		if (x == "geometry") != (y == "geometry") {
			if x == "geometry" {
				return -1
			}
			return 1
		}
		return cmp.Compare(x, y)
	})
	null := json.RawMessage("null")
	var out []FieldChange
	for _, k := range names {
		from, to := a[k], b[k]
		if from == nil {
			from = null
		}
		if to == nil {
			to = null
		}
		if !bytes.Equal(from, to) {
			out = append(out, FieldChange{k, from, to})
		}
	}
	return out, nil
}

// fields returns a Feature's geometry and properties by name, each
// compacted; none for nil.
func fields(feature []byte) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if feature == nil {
		return out, nil
	}
	var f struct {
		Geometry   json.RawMessage            `json:"geometry"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(feature, &f); err != nil {
		return nil, err
	}
	// Each value in a canonical form, so that the order of an object's
	// members or the spelling of a number is no change: decoded, and
	// written back with members sorted.
	put := func(name string, v json.RawMessage) error {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		// Written as the text it is (<, > and & not escaped), so a page
		// of the log escapes it once, as HTML.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(x); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		out[name] = bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
		return nil
	}
	if f.Geometry != nil {
		if err := put("geometry", f.Geometry); err != nil {
			return nil, err
		}
	}
	for k, v := range f.Properties {
		if err := put("properties."+k, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}
