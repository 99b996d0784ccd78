package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
)

const importUsage = "incidentmap import -store STORE -reason WHY [-author WHO] [-dry-run] [-format geojson|csv|acled] FILE"

// maxListedProblems is how many problems an import lists before it only
// counts them.
const maxListedProblems = 1000

// maxImportRows bounds the incidents of one import, which is one
// revision held in memory while it is checked: a million, the most the
// service is measured at. A larger file is split.
const maxImportRows = 1_000_000

// runImport imports a file of incidents into a store as one revision: a
// GeoJSON FeatureCollection, our CSV export or an ACLED-style CSV, told
// apart by their first bytes unless -format says which. incidents with a new id are created, those whose id
// the store holds are updated when they differ and left alone when they
// do not, so importing a file twice changes nothing the second time.
// Every feature is checked first, and every problem listed with its
// line; with any problem, or with -dry-run, nothing is written. The
// revision is one transaction: an import killed at any point leaves the
// store at the revision before it.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nflags:\n", importUsage)
		fs.PrintDefaults()
	}
	dsn := fs.String("store", getenv("INCIDENTMAP_STORE"), "the store: a SQLite file or a postgres:// URL (INCIDENTMAP_STORE)")
	reason := fs.String("reason", "", "why: recorded with the revision and shown in the corrections log (required)")
	author := fs.String("author", envOr(getenv, "USER", "import"), "who: recorded with the revision")
	dryRun := fs.Bool("dry-run", false, "check the file and report what the import would do, writing nothing")
	formatName := fs.String("format", "", "geojson, csv (our CSV export) or acled (ACLED-style CSV); by default told from the file's first bytes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 1:
		return fmt.Errorf("want one file to import; usage: %s", importUsage)
	case *dsn == "":
		return errors.New("-store is required")
	case *reason == "" && !*dryRun:
		return errors.New("-reason is required: say why the data changes")
	}
	var format geo.Format
	if *formatName != "" {
		f, err := geo.ParseFormat(*formatName)
		if err != nil {
			return fmt.Errorf("-%w", err)
		}
		format = f
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := seedFixtures(ctx, st); err != nil {
		return err
	}
	head, err := st.Head(ctx)
	if err != nil {
		return err
	}
	current, err := st.Dataset(ctx, head)
	if err != nil {
		return err
	}

	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, detectBytes)
	if format == "" {
		head, err := r.Peek(detectBytes)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("import %s: %w", fs.Arg(0), err)
		}
		if format, err = geo.DetectFormat(head); err != nil {
			return fmt.Errorf("import %s: %w", fs.Arg(0), err)
		}
	}
	plan, err := planImport(r, format, current, stderr)
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	for i, p := range plan.problems {
		if i == maxListedProblems {
			fmt.Fprintf(stdout, "… and %d more\n", len(plan.problems)-i)
			break
		}
		fmt.Fprintln(stdout, p)
	}
	summary := fmt.Sprintf("%d to create, %d to update, %d unchanged", plan.created, plan.updated, plan.unchanged)
	switch {
	case len(plan.problems) > 0:
		return fmt.Errorf("import %s: %d problems (%s once they are fixed); nothing imported", fs.Arg(0), len(plan.problems), summary)
	case *dryRun:
		fmt.Fprintf(stdout, "dry run: %s; nothing written\n", summary)
		return nil
	case len(plan.changes) == 0:
		fmt.Fprintf(stdout, "nothing to import: the store at revision %d holds the file as it is\n", head)
		return nil
	}
	sites, err := st.Sites(ctx)
	if err != nil {
		return err
	}
	if err := checkMerged(current, sites, plan.changes); err != nil {
		return fmt.Errorf("import %s: %w; nothing imported", fs.Arg(0), err)
	}
	rev, err := st.Commit(ctx, store.Revision{At: time.Now(), Author: *author, Reason: *reason}, plan.changes)
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "revision %d: %s\n", rev, summary)
	return nil
}

// detectBytes is how much of a file DetectFormat sees: a header row
// and more.
const detectBytes = 64 << 10

// importPlan is what an import would do.
type importPlan struct {
	changes                     []store.Change
	created, updated, unchanged int
	problems                    []string
}

// planImport checks every incident of r, a file in format, against the
// data model and against the data set it would join, and works out the
// changes.
func planImport(r io.Reader, format geo.Format, current *geo.Dataset, progressTo io.Writer) (*importPlan, error) {
	p := &importPlan{}
	bar := newProgress(progressTo, "rows")
	lineOf := map[string]int{}
	type found struct {
		line int
		in   geo.Incident
	}
	var valid []found
	n := 0
	err := geo.EachIncident(r, format, current.Sites, func(c geo.Checked) error {
		n++
		if n > maxImportRows {
			return fmt.Errorf("line %d: more than %d incidents, the most one import takes; split the file", c.Line, maxImportRows)
		}
		bar.update(n, 0)
		if c.Err != nil {
			p.problems = append(p.problems, fmt.Sprintf("line %d: %v", c.Line, c.Err))
			return nil
		}
		if first, dup := lineOf[c.Incident.ID]; dup {
			p.problems = append(p.problems, fmt.Sprintf("line %d: id %q: also at line %d", c.Line, c.Incident.ID, first))
			return nil
		}
		lineOf[c.Incident.ID] = c.Line
		valid = append(valid, found{c.Line, c.Incident})
		return nil
	})
	bar.finish("read", n)
	if err != nil {
		return nil, err
	}
	for _, v := range valid {
		for _, id := range v.in.Related {
			_, inFile := lineOf[id]
			if _, err := current.Incident(id); err != nil && !inFile || id == v.in.ID {
				p.problems = append(p.problems, fmt.Sprintf("line %d: id %q: properties.related: %q is no other incident of the store or the file", v.line, v.in.ID, id))
			}
		}
		feature, err := v.in.AppendGeoJSON(nil, math.NaN())
		if err != nil {
			return nil, err
		}
		old, err := current.Incident(v.in.ID)
		if err != nil {
			p.changes = append(p.changes, store.Change{ID: v.in.ID, Op: store.Create, Feature: feature})
			p.created++
			continue
		}
		was, err := old.AppendGeoJSON(nil, math.NaN())
		if err != nil {
			return nil, err
		}
		if bytes.Equal(was, feature) {
			p.unchanged++
			continue
		}
		p.changes = append(p.changes, store.Change{ID: v.in.ID, Op: store.Update, Feature: feature})
		p.updated++
	}
	return p, nil
}

// checkMerged loads the data set the changes would make, as the server
// will: whatever the loader refuses, the import must not write.
func checkMerged(current *geo.Dataset, sites []byte, changes []store.Change) error {
	byID := make(map[string][]byte, len(changes))
	for _, c := range changes {
		byID[c.ID] = c.Feature
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":"FeatureCollection","features":[`)
	first := true
	write := func(feature []byte) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(feature)
	}
	err := current.Scan(geo.Query{}, func(in *geo.Incident) error {
		if f, ok := byID[in.ID]; ok {
			write(f)
			delete(byID, in.ID)
			return nil
		}
		f, err := in.AppendGeoJSON(nil, math.NaN())
		write(f)
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		if f, ok := byID[c.ID]; ok {
			write(f)
		}
	}
	buf.WriteString("]}")
	if _, err := geo.NewDataset(buf.Bytes(), sites); err != nil {
		return fmt.Errorf("the data set it makes does not load: %w", err)
	}
	return nil
}
