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
	r := bufio.NewReaderSize(f, geo.DetectBytes)
	if format == "" {
		head, err := r.Peek(geo.DetectBytes)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("import %s: %w", fs.Arg(0), err)
		}
		if format, err = geo.DetectFormat(head); err != nil {
			return fmt.Errorf("import %s: %w", fs.Arg(0), err)
		}
	}
	bar := newProgress(stderr, "rows")
	plan, err := store.PlanImport(r, format, current, func(n int) { bar.update(n, 0) })
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	bar.finish("read", plan.Rows)
	for i, p := range plan.Problems {
		if i == maxListedProblems {
			fmt.Fprintf(stdout, "… and %d more\n", len(plan.Problems)-i)
			break
		}
		fmt.Fprintln(stdout, p)
	}
	summary := plan.Summary()
	switch {
	case len(plan.Problems) > 0:
		return fmt.Errorf("import %s: %d problems (%s once they are fixed); nothing imported", fs.Arg(0), len(plan.Problems), summary)
	case *dryRun:
		fmt.Fprintf(stdout, "dry run: %s; nothing written\n", summary)
		return nil
	case len(plan.Changes) == 0:
		fmt.Fprintf(stdout, "nothing to import: the store at revision %d holds the file as it is\n", head)
		return nil
	}
	sites, err := st.Sites(ctx)
	if err != nil {
		return err
	}
	if err := checkMerged(current, sites, plan.Changes); err != nil {
		return fmt.Errorf("import %s: %w; nothing imported", fs.Arg(0), err)
	}
	rev, err := st.Commit(ctx, store.Revision{At: time.Now(), Author: *author, Reason: *reason}, plan.Changes)
	if err != nil {
		return fmt.Errorf("import %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(stdout, "revision %d: %s\n", rev, summary)
	return nil
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
