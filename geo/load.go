package geo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/paulmach/orb"
)

// DecodeSites reads a GeoJSON FeatureCollection of sites, as strictly as
// incidents are read. Every site needs a Point, a slug id used once, a
// name and a country; its sources, when it has any, are checked as an
// incident's are.
func DecodeSites(data []byte) ([]Site, error) {
	if len(data) > MaxDataBytes {
		return nil, fmt.Errorf("sites: %d bytes, at most %d", len(data), MaxDataBytes)
	}
	d := newFeatureDecoder(nil)
	cr := newCollectionReader(bytes.NewReader(data))
	var sites []Site
	seen := map[string]bool{}
	for i := 0; ; i++ {
		raw, err := cr.next()
		if err == io.EOF {
			return sites, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sites: %w", err)
		}
		var st Site
		id, loc, err := d.feature(i, raw, func() error { return d.siteProperties(&st) })
		if err == nil {
			st.ID = id
			err = checkSite(i, &st, loc, seen)
		}
		if err != nil {
			return nil, fmt.Errorf("sites: %w", err)
		}
		seen[id] = true
		sites = append(sites, st)
	}
}

// siteProperties reads a site's properties into st.
func (d *featureDecoder) siteProperties(st *Site) error {
	s := &d.s
	members := keys{names: siteMembers}
	return fieldErr("properties", s.object(func(key []byte) error {
		k, err := members.add(key)
		if err != nil {
			return fieldErr("properties."+string(key), err)
		}
		var dst *string
		switch string(key) {
		case "name":
			dst = &st.Name
		case "name_ar":
			dst = &st.NameAR
		case "kind":
			dst = &st.Kind
		case "admin1":
			dst = &st.Admin1
		case "country":
			dst = &st.Country
		case "sources":
			st.Sources, err = sharedList(d, d.sources, "sources", sourceMembers, setSource, func(list []Source) (string, error) {
				if len(list) == 0 {
					return "", nil // a site may cite none
				}
				return checkSources(list)
			})
			return err
		default:
			return fieldErr("properties."+string(key), fmt.Errorf("unknown property %q", key))
		}
		b, err := s.str()
		if err != nil {
			return fieldErr("properties."+siteMembers[k], err)
		}
		*dst = string(b)
		return nil
	}))
}

// checkSite checks a decoded site against the data model.
func checkSite(i int, st *Site, loc *orb.Point, seen map[string]bool) error {
	fail := func(field string, err error) error { return &FeatureError{Index: i, ID: st.ID, Field: field, Err: err} }
	switch {
	case seen[st.ID]:
		return fail("id", errors.New("duplicate"))
	case loc == nil:
		return fail("geometry", errors.New("a site needs a Point"))
	case strings.TrimSpace(st.Name) == "":
		return fail("properties.name", errors.New("missing"))
	case !ValidCountry(st.Country):
		return fail("properties.country", fmt.Errorf("want an ISO 3166-1 alpha-2 code, got %q", st.Country))
	}
	if field, err := checkTexts(
		textField{"properties.name", st.Name, MaxShortText},
		textField{"properties.name_ar", st.NameAR, MaxShortText},
		textField{"properties.kind", st.Kind, MaxShortText},
		textField{"properties.admin1", st.Admin1, MaxShortText},
	); err != nil {
		return fail(field, err)
	}
	st.Location = *loc
	return nil
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
