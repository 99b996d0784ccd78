package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthz says the process is alive.
func (s *Server) healthz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether the server can serve, and how well: a Redis that does
// not answer makes the cache "degraded", not the service unready, because
// every request can still be answered by rendering. It is public, so it
// says how things are and never why: error text names addresses, and goes
// to the log (cache.RedisConfig.Logger) and the metrics instead.
func (s *Server) readyz(c echo.Context) error {
	st := s.cache.Stats()
	redis := map[string]any{"configured": false}
	status := "ok"
	if r := s.cache.Redis(); r != nil {
		err := r.Ping(c.Request().Context())
		h := r.Health()
		redis = map[string]any{"configured": true, "ok": err == nil && h.OK, "errors": h.Errors,
			"writes_failing": h.WritesFailing}
		if !h.OK {
			status = "degraded"
		}
		if !h.DegradedSince.IsZero() {
			redis["degraded_since"] = h.DegradedSince.UTC().Format(time.RFC3339Nano)
		}
	}
	code := http.StatusOK
	if s.live.draining.Load() {
		// Shutting down: load balancers stop sending new requests while
		// the ones in flight finish.
		status, code = "draining", http.StatusServiceUnavailable
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(code, map[string]any{
		"status":       status,
		"data_version": s.data.Version,
		"incidents":    s.data.Len(),
		"cache": map[string]any{
			"status": status,
			"memory": map[string]any{"entries": st.LRUEntries, "bytes": st.LRUBytes},
			"redis":  redis,
		},
	})
}
