package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
)

// Imports over HTTP, for the editor's desk: POST a file of incidents to
// /api/imports, as `incidentmap import` reads one (GeoJSON, our CSV
// export, ACLED-style CSV), with dry_run=true to see what it would do,
// then without it to make it one revision. The file is checked whole
// against the data served; with any problem nothing is written and every
// problem is listed with its line.

// Import limits.
const (
	// maxImportBody bounds an imported file: about 70,000 incidents of
	// GeoJSON. A larger import is the command's (`incidentmap import`).
	maxImportBody = 32 << 20
	// maxImportProblems is how many problems an answer lists; it counts
	// the others.
	maxImportProblems = 1000
	// maxImports is how many imports a server reads and checks at once;
	// another is a 503, so that files in memory stay within
	// maxImports × maxImportBody whatever the editors send.
	maxImports = 2
)

// importParams are what POST /api/imports takes.
var importParams = []string{"dry_run", "format"}

// importReport is what an import did, or would do.
type importReport struct {
	DryRun    bool   `json:"dry_run"`
	Format    string `json:"format"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	// Problems are the first maxImportProblems problems, by line;
	// MoreProblems counts the rest.
	Problems     []store.ImportProblem `json:"problems"`
	MoreProblems int                   `json:"more_problems"`
	// Revision is the revision the import made; null for a dry run, or
	// when the file held nothing new.
	Revision *int64 `json:"revision"`
}

// importRoutes adds the import route, when the server has a store.
func (s *Server) importRoutes(e *echo.Echo) {
	if s.writer == nil {
		return
	}
	e.POST("/api/imports", s.importFile)
}

// importFile checks, and unless dry_run is true commits, the body's file.
func (s *Server) importFile(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if c.Get(pinKey) != nil {
		return badParam("rev", "an import changes the current revision; it takes no rev")
	}
	v := c.QueryParams()
	if err := checkParams(v, importParams); err != nil {
		return err
	}
	dryRun := false
	switch d := v.Get("dry_run"); d {
	case "", "false":
	case "true":
		dryRun = true
	default:
		return badParam("dry_run", "want true or false, got %q", d)
	}
	var format geo.Format
	if f := v.Get("format"); f != "" {
		var err error
		if format, err = geo.ParseFormat(f); err != nil {
			return badParam("format", "%v", err)
		}
	}
	tok, err := s.editorToken(c, "imports")
	if err != nil {
		return err
	}
	reason, err := changeReason(c.Request(), !dryRun)
	if err != nil {
		return err
	}
	select {
	case s.writer.imports <- struct{}{}:
		defer func() { <-s.writer.imports }()
	default:
		p := problem(http.StatusServiceUnavailable, "body", "%d imports are being checked; send the file again shortly", maxImports)
		p.RetryAfter = 5
		return p
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxImportBody+1))
	if err != nil {
		return problem(http.StatusBadRequest, "body", "read: %v", err)
	}
	if len(body) > maxImportBody {
		return problem(http.StatusRequestEntityTooLarge, "body", "over %d bytes; import a larger file with `incidentmap import`", maxImportBody)
	}
	if format == "" {
		if format, err = geo.DetectFormat(body[:min(len(body), geo.DetectBytes)]); err != nil {
			return problem(http.StatusUnsupportedMediaType, "body", "%v; say which with format=geojson, csv or acled", err)
		}
	}

	// One import or batch of writes at a time, checked against the data
	// served, which is the store's head.
	w := s.writer
	w.lock()
	defer w.unlock()
	ctx := c.Request().Context()
	head, err := w.store.Head(ctx)
	if err != nil {
		return storeDown(err)
	}
	if head > servedRevision(s.Data()) {
		if err := s.loadHead(ctx); err != nil {
			return storeDown(err)
		}
	}
	cur := s.now()
	plan, err := store.PlanImport(bytes.NewReader(body), format, cur.data, nil)
	if err != nil {
		return problem(http.StatusUnprocessableEntity, "body", "%v", err)
	}
	report := importReport{DryRun: dryRun, Format: string(format), Rows: plan.Rows,
		Created: plan.Created, Updated: plan.Updated, Unchanged: plan.Unchanged,
		Problems: plan.Problems[:min(len(plan.Problems), maxImportProblems)], MoreProblems: max(len(plan.Problems)-maxImportProblems, 0)}
	if report.Problems == nil {
		report.Problems = []store.ImportProblem{}
	}
	if len(plan.Problems) > 0 {
		p := problem(http.StatusUnprocessableEntity, "body", "%d problems (%s once they are fixed); nothing imported; the first: %s",
			len(plan.Problems), plan.Summary(), plan.Problems[0])
		p.Import = &report
		return p
	}
	// The data set the import makes, built as a batch's is: what the
	// loader would refuse of it is refused here.
	next, err := cur.data.With(plan.Incidents, nil)
	if err != nil {
		return refused(err)
	}
	if dryRun || len(plan.Changes) == 0 {
		return c.JSON(http.StatusOK, report)
	}
	rev, err := w.store.Commit(ctx, store.Revision{At: time.Now(), Author: tok.Name, Reason: reason}, plan.Changes)
	if errors.Is(err, store.ErrConflict) {
		return problem(http.StatusConflict, "body", "another replica wrote while the file was checked: send it again")
	}
	if err != nil {
		return storeDown(err)
	}
	next.Version = w.store.Version(rev)
	ids := make([]string, len(plan.Changes))
	for i, ch := range plan.Changes {
		ids[i] = ch.ID
	}
	s.swapIn(cur, next, slices.Values(ids))
	report.Revision = &rev
	c.Response().Header().Set("X-Revision", fmt.Sprint(rev))
	s.log.InfoContext(ctx, "import", "revision", rev, "rows", plan.Rows, "created", plan.Created, "updated", plan.Updated, "token", tok.ID, "request_id", requestID(c))
	return c.JSON(http.StatusOK, report)
}
