package store

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/incidentmap/incidentmap/geo"
)

// MaxImportRows bounds the incidents of one import, which is one revision
// held in memory while it is checked: a million, the most the service is
// measured at. A larger file is split.
const MaxImportRows = 1_000_000

// ImportPlan is what an import of a file would do to a data set: the
// changes it makes (each with its incident, as checked), how many
// incidents it creates, updates and leaves as they are, and every
// problem found, by line. An import with problems writes nothing.
type ImportPlan struct {
	Changes   []Change
	Incidents []geo.Incident // Incidents[i] is what Changes[i] writes
	Rows      int
	Created   int
	Updated   int
	Unchanged int
	Problems  []ImportProblem
}

// ImportProblem is what is wrong at a line of an import's file.
type ImportProblem struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

func (p ImportProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// Summary says what the plan does, as "2 to create, 0 to update, 1
// unchanged".
func (p *ImportPlan) Summary() string {
	return fmt.Sprintf("%d to create, %d to update, %d unchanged", p.Created, p.Updated, p.Unchanged)
}

// PlanImport checks every incident of r, a file in format, against the
// data model and against the data set it would join, current, and works
// out the changes: an incident with a new id is created, one whose id
// current holds is updated when it differs and left alone when it does
// not, so importing a file twice changes nothing the second time.
// progress, when not nil, is told how many rows have been read, row by
// row. It errs only when the file cannot be read as its format at all or
// holds more than MaxImportRows incidents.
func PlanImport(r io.Reader, format geo.Format, current *geo.Dataset, progress func(rows int)) (*ImportPlan, error) {
	p := &ImportPlan{}
	lineOf := map[string]int{}
	type found struct {
		line int
		in   geo.Incident
	}
	var valid []found
	problem := func(line int, format string, args ...any) {
		p.Problems = append(p.Problems, ImportProblem{line, fmt.Sprintf(format, args...)})
	}
	err := geo.EachIncident(r, format, current.Sites, func(c geo.Checked) error {
		p.Rows++
		if p.Rows > MaxImportRows {
			return fmt.Errorf("line %d: more than %d incidents, the most one import takes; split the file", c.Line, MaxImportRows)
		}
		if progress != nil {
			progress(p.Rows)
		}
		if c.Err != nil {
			problem(c.Line, "%v", c.Err)
			return nil
		}
		if first, dup := lineOf[c.Incident.ID]; dup {
			problem(c.Line, "id %q: also at line %d", c.Incident.ID, first)
			return nil
		}
		lineOf[c.Incident.ID] = c.Line
		valid = append(valid, found{c.Line, c.Incident})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, v := range valid {
		for _, id := range v.in.Related {
			_, inFile := lineOf[id]
			if _, err := current.Incident(id); err != nil && !inFile || id == v.in.ID {
				problem(v.line, "id %q: properties.related: %q is no other incident of the store or the file", v.in.ID, id)
			}
		}
		feature, err := v.in.AppendGeoJSON(nil, math.NaN())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", v.line, err)
		}
		old, err := current.Incident(v.in.ID)
		if err != nil {
			p.Changes = append(p.Changes, Change{ID: v.in.ID, Op: Create, Feature: feature})
			p.Incidents = append(p.Incidents, v.in)
			p.Created++
			continue
		}
		was, err := old.AppendGeoJSON(nil, math.NaN())
		if err != nil {
			return nil, fmt.Errorf("incident %q: %w", old.ID, err)
		}
		if bytes.Equal(was, feature) {
			p.Unchanged++
			continue
		}
		p.Changes = append(p.Changes, Change{ID: v.in.ID, Op: Update, Feature: feature})
		p.Incidents = append(p.Incidents, v.in)
		p.Updated++
	}
	return p, nil
}
