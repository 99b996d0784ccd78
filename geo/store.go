package geo

import (
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// How a Dataset holds its incidents: not as a slice of Incident, whose
// strings, times, pointers and slices cost about 600 bytes an incident
// and give the garbage collector a million objects to trace, but as one
// fixed-size record each, free of pointers, beside one block of text.
// A record names its repeated texts (event type, site, place, country) by
// their index in a table of distinct strings, and its lists of actors and
// sources by where they start in tables of distinct lists. An Incident
// is put together from its record when it is asked for (incident), with
// no copying of text: its strings are slices of the block and the tables.
//
// At a million incidents of geo/synth, a record is 96 bytes and its text
// about 70 (docs/performance.md has the measured whole).

// record is one incident as stored.
type record struct {
	loc  orb.Point // when located
	sec  int64     // OccurredAt in Unix seconds
	nsec int32
	zone int32 // OccurredAt's offset from UTC in seconds

	// The incident's id, title and summary lie one after another in
	// Dataset.text from text on.
	text       uint32
	idLen      uint8
	titleLen   uint16
	summaryLen uint16

	// Indices in Dataset.strs.
	eventType, site, place, placeAR, admin1, country uint32

	// Where the incident's lists start in Dataset.actors, .sources and
	// .related, and how long they are.
	actors, sources, related    uint32
	nActors, nSources, nRelated uint8

	injured, killed uint32 // 0: not reported; else 1 + index in Dataset.counts
	timePrec        uint8  // index in timePrecisions
	geoPrec         uint8  // index in geoPrecisions
	located         bool
}

var (
	timePrecisions = []TimePrecision{TimeExact, TimeHour, TimeDay, TimeApproximate}
	geoPrecisions  = []GeoPrecision{GeoExact, GeoNear, GeoTown, GeoRegion, GeoUnknown}
)

// noString is the index of a string a data set does not hold: a filter
// on it matches nothing.
const noString = ^uint32(0)

// columns is what records point into; a Dataset and a builder share it.
type columns struct {
	records []record
	// The block of text is two strings, one after the other: text, as
	// the data set was last packed, and recent, what writes added since
	// (With). A write copies recent, not the whole block; a record's text
	// lies in one or the other (textAt).
	text, recent string
	strs         []string          // distinct texts; strs[0] is ""
	strIndex     map[string]uint32 // the index of each in strs
	actors       []Actor
	sources      []Source
	related      []int32 // positions of related incidents
	counts       []int   // distinct casualty figures
	zones        map[int32]*time.Location
}

// incident puts together the incident at position pos. Its strings, its
// lists and the numbers its casualty pointers point to are the data
// set's own, shared: a caller must not change them.
func (c *columns) incident(pos int) Incident {
	r := &c.records[pos]
	in := Incident{
		ID:            c.id(r),
		Title:         c.textAt(r.text+uint32(r.idLen), int(r.titleLen)),
		OccurredAt:    c.occurredAt(r),
		TimePrecision: timePrecisions[r.timePrec],
		EventType:     c.strs[r.eventType],
		Site:          c.strs[r.site],
		Place:         c.strs[r.place],
		PlaceAR:       c.strs[r.placeAR],
		Admin1:        c.strs[r.admin1],
		Country:       c.strs[r.country],
		GeoPrecision:  geoPrecisions[r.geoPrec],
		Summary:       c.summary(r),
		pos:           int32(pos),
	}
	if r.located {
		in.Location = &r.loc
	}
	if r.nActors > 0 {
		in.Actors = c.actors[r.actors : r.actors+uint32(r.nActors) : r.actors+uint32(r.nActors)]
	}
	if r.nSources > 0 {
		in.Sources = c.sources[r.sources : r.sources+uint32(r.nSources) : r.sources+uint32(r.nSources)]
	}
	if r.nRelated > 0 {
		in.Related = make([]string, r.nRelated)
		for k, p := range c.related[r.related : r.related+uint32(r.nRelated)] {
			in.Related[k] = c.id(&c.records[p])
		}
	}
	if r.injured > 0 {
		in.Injured = &c.counts[r.injured-1]
	}
	if r.killed > 0 {
		in.Killed = &c.counts[r.killed-1]
	}
	return in
}

// textAt returns the n bytes of the block of text from start on.
func (c *columns) textAt(start uint32, n int) string {
	if int(start) >= len(c.text) {
		start -= uint32(len(c.text))
		return c.recent[start : int(start)+n]
	}
	return c.text[start : int(start)+n]
}

func (c *columns) id(r *record) string {
	return c.textAt(r.text, int(r.idLen))
}

func (c *columns) summary(r *record) string {
	return c.textAt(r.text+uint32(r.idLen)+uint32(r.titleLen), int(r.summaryLen))
}

func (c *columns) occurredAt(r *record) time.Time {
	t := time.Unix(r.sec, int64(r.nsec))
	if r.zone == 0 {
		return t.UTC()
	}
	return t.In(c.zones[r.zone])
}

// maxWindowSeconds bounds how far the window of an incident's time
// (window) reaches from its second either way, with a second to spare
// for the fraction: a day, the widest precision's.
const maxWindowSeconds = 86400 + 1

// window returns the span of time r's OccurredAt stands for at its
// precision, as TimePrecision.Window does, by arithmetic: a zone here is
// always a fixed offset, as RFC 3339 gives it.
func (r *record) window() (from, to time.Time) {
	var start, length int64
	switch timePrecisions[r.timePrec] {
	case TimeHour:
		length = 3600
	case TimeDay:
		length = 86400
	case TimeApproximate:
		at := time.Unix(r.sec, int64(r.nsec))
		return at.Add(-approximateSpan), at.Add(approximateSpan)
	default:
		at := time.Unix(r.sec, int64(r.nsec))
		return at, at
	}
	local := r.sec + int64(r.zone)
	start = r.sec - (local%length+length)%length
	return time.Unix(start, 0), time.Unix(start+length, 0)
}

// builder packs incidents into columns, in the order they are added. It
// holds records and text in chunks, so growing never copies them; the
// data set gets them in one piece, in its own order (dataset.go).
type builder struct {
	columns // all but records and text
	chunks  [][]record
	// The text before the chunks: a data set's, for With (its text and
	// recent), else none.
	textBase, recentBase string
	text                 [][]byte
	textLen              int                    // of textBase, recentBase and the chunks
	actorRuns            map[run[Actor]]uint32  // a decoder's one copy of a list → its start
	sourceRuns           map[run[Source]]uint32 // the same for sources
	countIndex           map[int]uint32
	relatedIDs           []string // runs of related ids, resolved to positions at the end
	n                    int
	oneCore              bool // dataset works on the caller's goroutine alone
	extending            bool // its text and tables start as a data set's (Dataset.extend)
	// sorted is how many of the first records added are in the data
	// set's order already, and keptKeys their entries of the id index
	// (hash, added-th), in its order: what With keeps of a data set, so
	// that dataset merges the rest into them rather than sort them all.
	sorted   int
	keptKeys []idKey
	// from is the data set b extends (With), and keptAt the added-th of
	// each of its records kept, by position (-1 when not kept).
	// deriveIndex has the data set derive its index and spots from
	// from's (deriveSpots) rather than build them anew; only a builder
	// that extends does.
	from        *Dataset
	keptAt      []int32
	deriveIndex bool
	// kept holds the positions in from of the records b extends it with
	// (keep), the first added, read where they are rather than copied
	// into chunks; keptRelated gives, by added-th, where in relatedIDs
	// the related ids of each of them that has any start.
	kept        []int32
	keptRelated map[int32]uint32
	last        [stringFields]lastString
}

// Chunk sizes: records come 65,536 (6 MB) at a time, text up to 4 MB at
// a time.
const (
	chunkShift = 16
	textChunk  = 4 << 20
)

func newBuilder() *builder {
	return &builder{
		columns: columns{
			strs: []string{""}, strIndex: map[string]uint32{"": 0},
			zones: map[int32]*time.Location{},
		},
		actorRuns:  map[run[Actor]]uint32{},
		sourceRuns: map[run[Source]]uint32{},
		countIndex: map[int]uint32{},
	}
}

// record returns the record added i-th.
func (b *builder) record(i int) *record {
	if i < len(b.kept) {
		return &b.from.records[b.kept[i]]
	}
	i -= len(b.kept)
	return &b.chunks[i>>chunkShift][i&(1<<chunkShift-1)]
}

// placeRecords puts the records added in records in the order byTime
// gives (the added-th at each position), and the position of each in
// posOf. The records b kept of a data set come in runs, consecutive
// there as here but for the few written between: each run is copied
// whole, which on a busy machine took a build of 100,000 from 15 ms,
// a record at a time, to a few.
func (b *builder) placeRecords(records []record, byTime, posOf []int32) {
	for pos := 0; pos < len(byTime); {
		f := int(byTime[pos])
		end := pos + 1
		if f < len(b.kept) {
			from := int(b.kept[f])
			for end < len(byTime) && int(byTime[end]) == f+end-pos && int(byTime[end]) < len(b.kept) &&
				int(b.kept[byTime[end]]) == from+end-pos {
				end++
			}
			copy(records[pos:end], b.from.records[from:from+end-pos])
		} else {
			records[pos] = *b.record(f)
		}
		for k := pos; k < end; k++ {
			posOf[byTime[k]] = int32(k)
		}
		pos = end
	}
}

// appendText adds the texts one after another, in one chunk.
func (b *builder) appendText(texts ...string) {
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	if len(b.text) == 0 || len(b.text[len(b.text)-1])+n > cap(b.text[len(b.text)-1]) {
		size := 64 << 10 // small data sets take little; chunks double to textChunk
		if len(b.text) > 0 {
			size = min(2*cap(b.text[len(b.text)-1]), textChunk)
		}
		b.text = append(b.text, make([]byte, 0, max(size, n)))
	}
	last := &b.text[len(b.text)-1]
	for _, t := range texts {
		*last = append(*last, t...)
	}
	b.textLen += n
}

// joinText returns the block of text as the columns hold it (text and
// recent): textBase as it is, and what comes after it joined in one
// string, letting go of the chunks as it copies them.
func (b *builder) joinText() (text, recent string) {
	var sb strings.Builder
	sb.Grow(b.textLen - len(b.textBase))
	sb.WriteString(b.recentBase)
	for i := range b.text {
		sb.Write(b.text[i])
		b.text[i] = nil
	}
	b.text = nil
	if b.textBase == "" { // packed anew: all of it is text
		return sb.String(), ""
	}
	return b.textBase, sb.String()
}

// Fields of a record that name a string, for builder.field.
const (
	fieldEventType = iota
	fieldSite
	fieldPlace
	fieldPlaceAR
	fieldAdmin1
	fieldCountry
	stringFields
)

// field returns the index of s, the value of a record's field, in the
// table of distinct strings: the field's last value is tried first, as
// a data set's countries and event types come in runs.
func (b *builder) field(f int, s string) uint32 {
	if last := &b.last[f]; last.s == s && last.ok {
		return last.i
	}
	i := b.str(s)
	b.last[f] = lastString{s, i, true}
	return i
}

// lastString is a field's last value and its index.
type lastString struct {
	s  string
	i  uint32
	ok bool
}

// str returns the index of s in the table of distinct strings.
func (b *builder) str(s string) uint32 {
	if i, ok := b.strIndex[s]; ok {
		return i
	}
	i := uint32(len(b.strs))
	b.strs = append(b.strs, s)
	b.strIndex[s] = i
	return i
}

// count returns the record's form of a casualty figure.
func (b *builder) count(n *int) uint32 {
	if n == nil {
		return 0
	}
	if i, ok := b.countIndex[*n]; ok {
		return i
	}
	b.counts = append(b.counts, *n)
	i := uint32(len(b.counts))
	b.countIndex[*n] = i
	return i
}

// run names a list by its backing array and length: lists the decoder
// shares are one run.
type run[T any] struct {
	first *T
	n     int
}

// addRun returns where list starts in *table, appending it unless the
// same run was added before.
func addRun[T any](table *[]T, runs map[run[T]]uint32, list []T) uint32 {
	if len(list) == 0 {
		return 0
	}
	k := run[T]{&list[0], len(list)}
	start, ok := runs[k]
	if !ok {
		start = uint32(len(*table))
		*table = append(*table, list...)
		runs[k] = start
	}
	return start
}

// maxTextBytes bounds the block of text: records address it with 32 bits.
const maxTextBytes = 1<<32 - 1

// add packs in, a valid incident (one DecodeIncidents or the decoder
// accepted), as the next record. Its lists are kept once for every
// incident that shares the same backing array, as the decoder shares
// them.
func (b *builder) add(in *Incident) error {
	switch {
	case len(in.ID) > 255 || len(in.Title) > 1<<16-1 || len(in.Summary) > 1<<16-1 ||
		len(in.Actors) > 255 || len(in.Sources) > 255 || len(in.Related) > 255:
		return fmt.Errorf("incident %q: over the limits of the data model", in.ID)
	case b.textLen+len(in.ID)+len(in.Title)+len(in.Summary) > maxTextBytes:
		return fmt.Errorf("incident %q: the data set's text is over %d bytes", in.ID, maxTextBytes)
	}
	_, offset := in.OccurredAt.Zone()
	r := record{
		sec:        in.OccurredAt.Unix(),
		nsec:       int32(in.OccurredAt.Nanosecond()),
		zone:       int32(offset),
		text:       uint32(b.textLen),
		idLen:      uint8(len(in.ID)),
		titleLen:   uint16(len(in.Title)),
		summaryLen: uint16(len(in.Summary)),
		eventType:  b.field(fieldEventType, in.EventType),
		site:       b.field(fieldSite, in.Site),
		place:      b.field(fieldPlace, in.Place),
		placeAR:    b.field(fieldPlaceAR, in.PlaceAR),
		admin1:     b.field(fieldAdmin1, in.Admin1),
		country:    b.field(fieldCountry, in.Country),
		injured:    b.count(in.Injured),
		killed:     b.count(in.Killed),
		nActors:    uint8(len(in.Actors)),
		nSources:   uint8(len(in.Sources)),
		nRelated:   uint8(len(in.Related)),
	}
	if offset != 0 && b.zones[r.zone] == nil {
		b.zones[r.zone] = in.OccurredAt.Location()
	}
	for i, p := range timePrecisions {
		if p == in.TimePrecision {
			r.timePrec = uint8(i)
		}
	}
	for i, p := range geoPrecisions {
		if p == in.GeoPrecision {
			r.geoPrec = uint8(i)
		}
	}
	if in.Location != nil {
		r.loc, r.located = *in.Location, true
	}
	b.appendText(in.ID, in.Title, in.Summary)
	r.actors = addRun(&b.actors, b.actorRuns, in.Actors)
	r.sources = addRun(&b.sources, b.sourceRuns, in.Sources)
	r.related = uint32(len(b.relatedIDs))
	b.relatedIDs = append(b.relatedIDs, in.Related...)
	b.push(r)
	return nil
}

// push adds r as the next record.
func (b *builder) push(r record) {
	if (b.n-len(b.kept))>>chunkShift == len(b.chunks) {
		// The first chunk grows as a slice does, so a small data set
		// takes little; the others are made whole.
		var chunk []record
		if len(b.chunks) > 0 {
			chunk = make([]record, 0, 1<<chunkShift)
		}
		b.chunks = append(b.chunks, chunk)
	}
	last := &b.chunks[len(b.chunks)-1]
	*last = append(*last, r)
	b.n++
}
