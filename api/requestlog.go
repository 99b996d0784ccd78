package api

import (
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/incidentmap/incidentmap/geo/jsonstr"
)

// The line observe logs of every request, written directly when
// Config.RequestLog says where. slog's JSON handler, general as it is
// (groups, attributes of any kind, options), took a tenth of the CPU of
// a cache hit to write eight known fields; requestLine writes the same
// bytes for a fifth of that. TestRequestLineIsSlogs and
// FuzzRequestLine check that they are the same bytes.

// requestLine is what observe logs of a request.
type requestLine struct {
	time                            time.Time
	level                           slog.Level
	id, method, path, route, xcache string
	status                          int
	bytes                           int64
	took                            time.Duration
}

// record is l as the slog record observe hands Logger's handler.
func (l requestLine) record() slog.Record {
	rec := slog.NewRecord(l.time, l.level, "request", 0) // no pc: no source is logged
	rec.AddAttrs(
		slog.String("request_id", l.id),
		slog.String("method", l.method),
		slog.String("path", l.path),
		slog.String("route", l.route),
		slog.Int("status", l.status),
		slog.Int64("bytes", l.bytes),
		slog.String("cache", l.xcache),
		slog.Duration("took", l.took),
	)
	return rec
}

// appendJSON appends l as slog.NewJSONHandler(w, nil) writes l.record(),
// the newline included.
func (l requestLine) appendJSON(b []byte) []byte {
	b = append(b, `{"time":"`...)
	b = l.time.Round(0).AppendFormat(b, time.RFC3339Nano)
	b = append(append(append(b, `","level":"`...), l.level.String()...), `","msg":"request","request_id":`...)
	b = appendJSONString(b, l.id)
	b = appendJSONString(append(b, `,"method":`...), l.method)
	b = appendJSONString(append(b, `,"path":`...), l.path)
	b = appendJSONString(append(b, `,"route":`...), l.route)
	b = strconv.AppendInt(append(b, `,"status":`...), int64(l.status), 10)
	b = strconv.AppendInt(append(b, `,"bytes":`...), l.bytes, 10)
	b = appendJSONString(append(b, `,"cache":`...), l.xcache)
	b = strconv.AppendInt(append(b, `,"took":`...), int64(l.took), 10)
	return append(b, "}\n"...)
}

// lineBuffers keep the buffers lines are written in; a line of a path
// near maxURLBytes is let go.
var lineBuffers = bufferPool{max: 4 << 10}

// writeTo writes l to w in one Write, as slog's handler does, so that
// lines from both, on one stderr, never interleave. A failed write is
// dropped, as the Logger drops one.
func (l requestLine) writeTo(w io.Writer) {
	bp := lineBuffers.get()
	defer lineBuffers.put(bp)
	*bp = l.appendJSON(*bp)
	_, _ = w.Write(*bp)
}

// appendJSONString appends s quoted as slog's JSON handler quotes it.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s, jsonstr.Slog) }
