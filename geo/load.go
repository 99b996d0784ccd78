package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"
)

// DecodeSites reads a GeoJSON FeatureCollection of sites. Every site needs a
// Point, a slug id, a name and a country.
func DecodeSites(data []byte) ([]Site, error) {
	if len(data) > MaxDataBytes {
		return nil, fmt.Errorf("sites: %d bytes, at most %d", len(data), MaxDataBytes)
	}
	var sites []Site
	seen := map[string]bool{}
	err := decodeCollection(data, func(i int, f *featureJSON) error {
		fail := func(field string, err error) error {
			id, _ := featureID(f.ID)
			return &FeatureError{Index: i, ID: id, Field: field, Err: err}
		}
		if f.Type != "Feature" {
			return fail("type", fmt.Errorf("want \"Feature\", got %q", f.Type))
		}
		id, err := featureID(f.ID)
		if err != nil {
			return fail("id", err)
		}
		if !ValidID(id) {
			return fail("id", errors.New("want a slug of a-z, 0-9 and -"))
		}
		if seen[id] {
			return fail("id", errors.New("duplicate"))
		}
		seen[id] = true
		loc, err := decodePoint(f.Geometry)
		if err != nil {
			return fail("geometry", err)
		}
		if loc == nil {
			return fail("geometry", errors.New("a site needs a Point"))
		}
		var p siteProps
		if field, err := decodeProperties(f.Properties, &p); err != nil {
			return fail(field, err)
		}
		switch {
		case strings.TrimSpace(p.Name) == "":
			return fail("properties.name", errors.New("missing"))
		case !ValidCountry(p.Country):
			return fail("properties.country", fmt.Errorf("want an ISO 3166-1 alpha-2 code, got %q", p.Country))
		}
		if err := checkText(p.Name, MaxShortText); err != nil {
			return fail("properties.name", err)
		}
		sites = append(sites, Site{
			ID: id, Name: p.Name, NameAR: p.NameAR, Kind: p.Kind,
			Admin1: p.Admin1, Country: p.Country, Location: *loc, Sources: p.Sources,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sites: %w", err)
	}
	return sites, nil
}

// batch is a run of features for a decoder: the bytes of each, and the
// index of the first in the file.
type batch struct {
	seq, first int
	raw        [][]byte
	incidents  []Incident
	err        error
}

// batchFeatures is how many features a batch holds: enough that handing
// them out costs nothing, few enough that the blocks the batches in
// flight hold cost little memory.
const batchFeatures = 1024

// decodeStream reads a FeatureCollection of incidents from r and packs
// them, in the file's order, into a builder. One goroutine reads and cuts
// the stream into batches of features, one decoder on each core decodes
// and checks them, and this goroutine packs them in order. The error is
// the one of the first feature at fault (or the stream's, once every
// feature before it was read).
func decodeStream(r io.Reader, sites map[string]*Site) (*builder, error) {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *batch, 2*workers)
	results := make(chan *batch, 2*workers)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(jobs)
		cr := newCollectionReader(r)
		next := &batch{raw: make([][]byte, 0, batchFeatures)}
		send := func() bool {
			// The next batch is made before this one is handed over: once
			// sent, it is the decoder's.
			after := &batch{seq: next.seq + 1, first: next.first + len(next.raw), raw: make([][]byte, 0, batchFeatures)}
			select {
			case jobs <- next:
			case <-stop:
				return false
			}
			next = after
			return true
		}
		for {
			raw, err := cr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				var se *syntaxError
				if cr.inFeatures && errors.As(err, &se) {
					readErr = &FeatureError{Index: next.first + len(next.raw), Field: "feature", Err: err}
				}
				break
			}
			next.raw = append(next.raw, raw)
			if len(next.raw) == batchFeatures && !send() {
				return
			}
		}
		if len(next.raw) > 0 {
			send()
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := newFeatureDecoder(sites)
			for b := range jobs {
				b.incidents = make([]Incident, 0, len(b.raw))
				for k, raw := range b.raw {
					in, err := dec.decode(b.first+k, raw)
					if err != nil {
						b.err = err
						break
					}
					b.incidents = append(b.incidents, in)
				}
				b.raw = nil
				results <- b
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	bld := newBuilder()
	pending := map[int]*batch{}
	seq := 0
	var err error
	for b := range results {
		if err != nil {
			continue // drain, so the workers finish
		}
		pending[b.seq] = b
		for b := pending[seq]; b != nil; b = pending[seq] {
			delete(pending, seq)
			seq++
			if err = b.err; err != nil {
				close(stop)
				break
			}
			for i := range b.incidents {
				if err = bld.add(&b.incidents[i]); err != nil {
					close(stop)
					break
				}
			}
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if readErr != nil {
		return nil, readErr
	}
	return bld, nil
}

// decodeProperties decodes a feature's properties strictly into v, a
// pointer to a struct, and on error names the property at fault: the first
// one whose value has the wrong type (encoding/json reports the first
// error in document order, and that is a type error only when no unknown
// property came before it), else the first property, nested ones
// included, that v has no field for, else "properties".
// Only a failed decoding looks further, so valid data pays nothing.
func decodeProperties(raw json.RawMessage, v any) (field string, err error) {
	err = strictUnmarshal(raw, v)
	if err == nil {
		return "", nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "properties." + te.Field, err
	}
	if name, ok := unknownKey(raw, reflect.TypeOf(v)); ok {
		// Worded as encoding/json words it, as this error read before.
		return "properties." + name, fmt.Errorf("json: unknown field %q", name)
	}
	return "properties", err
}

// unmarshaler is the interface of types that decode themselves.
var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// unknownKey returns the first object key in raw, depth first in document
// order, that a value of type t has no field for, as encoding/json matches
// them (by json tag or field name, ignoring case). Values that fail to
// parse, and types that decode themselves, have none.
func unknownKey(raw json.RawMessage, t reflect.Type) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return "", false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", false
		}
		for _, item := range items {
			if name, ok := unknownKey(item, t.Elem()); ok {
				return name, true
			}
		}
	case reflect.Struct:
		dec := json.NewDecoder(bytes.NewReader(raw))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return "", false
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", false
			}
			key, _ := tok.(string)
			var value json.RawMessage
			if dec.Decode(&value) != nil {
				return "", false
			}
			ft, ok := fieldType(t, key)
			if !ok {
				return key, true
			}
			if name, ok := unknownKey(value, ft); ok {
				return name, true
			}
		}
	}
	return "", false
}

// fieldType is the type of the field of struct t that encoding/json
// decodes key into.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f.Type, true
		}
	}
	return nil, false
}
