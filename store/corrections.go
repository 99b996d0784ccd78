package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Correction is a change to a data set recorded with its reason, as data:
// the corrections made to the embedded fixtures since they were written
// (fixtures.Corrections), which a new store records as revisions after
// seeding, so its corrections log starts with them.
type Correction struct {
	At      time.Time `json:"at"`
	Author  string    `json:"author"`
	Reason  string    `json:"reason"`
	Changes []struct {
		ID    string          `json:"id"`
		Patch json.RawMessage `json:"patch"` // a JSON merge patch of the incident's Feature
	} `json:"changes"`
}

// ParseCorrections reads a JSON array of corrections; each needs a time,
// an author, a reason and at least one change.
func ParseCorrections(data []byte) ([]Correction, error) {
	var cs []Correction
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cs); err != nil {
		return nil, fmt.Errorf("corrections: %w", err)
	}
	for i, c := range cs {
		if c.At.IsZero() || c.Author == "" || c.Reason == "" || len(c.Changes) == 0 {
			return nil, fmt.Errorf("correction %d: want at, author, reason and changes", i+1)
		}
	}
	return cs, nil
}

// ApplyCorrections returns the FeatureCollection incidents with the
// corrections applied in order: the data a store seeded with both
// serves, for a server that serves the fixtures without a store.
func ApplyCorrections(incidents []byte, cs []Correction) ([]byte, error) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(incidents, &fc); err != nil {
		return nil, fmt.Errorf("apply corrections: %w", err)
	}
	at := map[string]int{}
	for i, f := range fc.Features {
		var id struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(f, &id); err != nil {
			return nil, fmt.Errorf("apply corrections: feature %d: %w", i, err)
		}
		at[id.ID] = i
	}
	for i, c := range cs {
		for _, ch := range c.Changes {
			k, ok := at[ch.ID]
			if !ok {
				return nil, fmt.Errorf("correction %d: no incident %q", i+1, ch.ID)
			}
			patched, err := MergePatch(fc.Features[k], ch.Patch)
			if err != nil {
				return nil, fmt.Errorf("correction %d, %s: %w", i+1, ch.ID, err)
			}
			fc.Features[k] = patched
		}
	}
	return json.Marshal(fc)
}

// MergePatch applies an RFC 7396 JSON merge patch to doc: members of the
// patch replace the document's, null removes one, objects merge member
// by member, anything else replaces the whole.
func MergePatch(doc, patch []byte) ([]byte, error) {
	var d, p any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("merge patch: document: %w", err)
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("merge patch: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(merge(d, p)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

func merge(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = merge(t[k], v)
	}
	return t
}
