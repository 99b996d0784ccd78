package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/geo"
)

// exportParams are what the full CSV export takes: the items filters,
// without paging, radius or format.
var exportParams = []string{"bbox", "datetime", "event_type", "site", "country"}

// exportFlushRows is how many rows go out between flushes and checks of
// the request: the response's memory stays that many rows, whatever the
// data set.
const exportFlushRows = 1000

// exportCSV streams every incident that matches the filters as CSV, in
// the data set's order (time, then id), in constant memory:
// /api/collections/incidents/items.csv. It is not cached (it is as large
// as the data), but its ETag is, so a client that has it gets 304. It
// holds a render slot while it writes.
func (s *Server) exportCSV(c echo.Context) error {
	req, err := s.parseItems(c)
	if err != nil {
		return err
	}
	req.format = "csv"
	canon := req.values()
	canon.Del("limit")
	canon.Del("f")
	r := c.Request()
	if s.preamble(c, etagFor(s.cacheKey("export-csv", keyRequest(r.URL.Path, canon)), "")) {
		return c.NoContent(http.StatusNotModified)
	}
	release, err := s.slots.hold(r.Context())
	if err != nil {
		return err
	}
	defer release()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, typeCSV)
	h.Set("Content-Disposition", `attachment; filename="incidents.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	w, err := geo.NewCSVWriter(c.Response(), false)
	if err != nil {
		return err
	}
	rows := 0
	// Past the header the status is sent: a failure can only cut the
	// body short, which the client sees, and the log records.
	err = s.data.Scan(req.query, func(in *geo.Incident) error {
		if err := w.Write(geo.Match{Incident: in}); err != nil {
			return err
		}
		if rows++; rows%exportFlushRows == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
			c.Response().Flush()
			return r.Context().Err()
		}
		return nil
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return fmt.Errorf("export csv after %d rows: %w", rows, err)
	}
	return nil
}
