package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
)

// Config is what the server needs to know; cmd/incidentmap fills it.
type Config struct {
	Data *geo.Dataset
	// Store, when set, is where Data came from, and takes the writes of
	// the write API (write.go); without it the data is read-only.
	Store *store.Store
	Cache *cache.Cache
	// Basemap renders the basemap layer's tiles; nil serves none.
	Basemap Basemap
	// BasemapVersion names the data the basemap is drawn from: its tiles
	// are cached under it, not under the incidents' version, so writes
	// leave them be. Empty, they are cached under the data set's version.
	BasemapVersion string
	Logger         *slog.Logger
	// RequestLog, when set, is where the line of each request is written,
	// byte for byte as a slog.NewJSONHandler on it with no options would
	// write it, but by an encoder of its own (requestlog.go): the service
	// gives its stderr, where Logger writes. Each line is one Write, made
	// from the request's goroutine: RequestLog must take concurrent
	// writes (an *os.File does). Unset, the line goes to Logger, at its
	// level.
	RequestLog io.Writer
	Limits     Limits
	// KeyPrefix starts every cache key, so several services can share one
	// Redis.
	KeyPrefix string
	// MaxAge is the Cache-Control max-age of cacheable responses.
	MaxAge time.Duration
	// RenderSlots is how many expensive renders (static maps, tiles,
	// overlays, exports) may run at once; 0 means one per CPU. A request
	// that finds them all taken waits up to RenderWait (default 2 s), four
	// per slot at most, then gets 503 with Retry-After.
	RenderSlots int
	RenderWait  time.Duration
	// PublicURL is the origin (scheme, host and any path prefix) every
	// link is written with, e.g. https://maps.news.example. Unset, links
	// follow how the client reached the server; such responses are then
	// cached in process only, so that no Host header a client makes up
	// reaches the shared cache.
	PublicURL *url.URL
	// TrustedProxies are the addresses whose X-Forwarded-Proto and
	// X-Forwarded-Host are believed, when PublicURL is unset. From any
	// other address they are ignored.
	TrustedProxies []netip.Prefix
	// FrameAncestors is the CSP frame-ancestors source list of the page
	// and /embed: the sites that may frame them, e.g. "'self'
	// https://news.example". Empty means "*", any site.
	FrameAncestors string
}

// Server serves the HTTP API.
type Server struct {
	data    *geo.Dataset
	cache   *cache.Cache
	basemap Basemap
	log     *slog.Logger
	// requestLog is Config.RequestLog.
	requestLog io.Writer
	limits     Limits
	prefix     string
	maxAge     time.Duration
	// cacheControl is the Cache-Control of cacheable responses, from maxAge.
	cacheControl string
	frames       string // CSP frame-ancestors
	public       string // origin of links when fixed (Config.PublicURL), "" when not
	// basePath is the path of Config.PublicURL ("/maps"), "" when none:
	// the pages' links start with it.
	basePath string
	trusted  []netip.Prefix
	slots    *renderSlots
	// background is the one slot of the work writes cause beside the
	// requests: building a batch's data set, and drawing again what it
	// changed (respond.go, whileDrawn). One at a time, builds first, so
	// that they leave the other cores to readers.
	background *background
	// recent keeps the features of the last tiles gathered, for their
	// other formats (recent.go).
	recent  *recentFeatures
	metrics *metrics
	echo    *echo.Echo

	// table is the route table bound to this server and its data set.
	table []route
	// edits says which revision last changed each part of the map, when
	// writes made the data set (edits.go).
	edits editLog
	// basemapVersion names the basemap's data (Config.BasemapVersion).
	basemapVersion string
	// writer takes writes; nil when the data is read-only.
	writer *writer
	// past keeps the servers bound to past revisions (revision.go); pin
	// is the link prefix of one ("/r/3"), "" for the current data.
	past *pastRevisions
	pin  string
	// live is what every copy of the server shares: see SetData.
	live *liveState
}

// liveState is the state of a server that its copies share: whether it
// is draining, and the copy that serves the current data set.
type liveState struct {
	draining atomic.Bool
	current  atomic.Pointer[Server]
}

// Drain makes /readyz answer 503, so that load balancers send no new
// requests while the server finishes those in flight.
func (s *Server) Drain() { s.live.draining.Store(true) }

// SetData makes ds the data set served, at once and for every request
// that starts after: a request runs to its end on the data set it began
// with (its handler is that of a copy of the server bound to it), so its
// cache key, ETag and body always agree. Readers never wait: the new
// data set is built beside the old, and the swap is one pointer.
func (s *Server) SetData(ds *geo.Dataset) {
	s.setData(ds, editLog{})
}

// setData is SetData with the log of the edits that made ds from the
// data set served (edits.go).
func (s *Server) setData(ds *geo.Dataset, edits editLog) {
	next := *s.live.current.Load()
	next.data, next.edits = ds, edits
	next.table = next.routeTable()
	s.live.current.Store(&next)
}

// Data returns the data set served now.
func (s *Server) Data() *geo.Dataset { return s.now().data }

// now returns the copy of the server bound to the current data set.
func (s *Server) now() *Server { return s.live.current.Load() }

// New returns a server for cfg, with its routes in place.
func New(cfg Config) *Server {
	s := &Server{
		data:           cfg.Data,
		cache:          cfg.Cache,
		basemap:        cfg.Basemap,
		basemapVersion: cfg.BasemapVersion,
		log:            cfg.Logger,
		requestLog:     cfg.RequestLog,
		limits:         cfg.Limits,
		prefix:         cfg.KeyPrefix,
		maxAge:         cfg.MaxAge,
		frames:         cfg.FrameAncestors,
		trusted:        cfg.TrustedProxies,
	}
	if u := cfg.PublicURL; u != nil {
		s.public = strings.TrimSuffix(u.Scheme+"://"+u.Host+u.EscapedPath(), "/")
		s.basePath = strings.TrimSuffix(u.EscapedPath(), "/")
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cache == nil {
		s.cache = cache.New(64<<20, nil)
	}
	if s.limits == (Limits{}) {
		s.limits = DefaultLimits
	}
	if s.prefix == "" {
		s.prefix = "incidentmap"
	}
	if s.maxAge == 0 {
		s.maxAge = 5 * time.Minute
	}
	s.cacheControl = "public, max-age=" + strconv.Itoa(int(s.maxAge.Seconds()))
	if cfg.RenderSlots <= 0 {
		cfg.RenderSlots = runtime.GOMAXPROCS(0)
	}
	if cfg.RenderWait <= 0 {
		cfg.RenderWait = 2 * time.Second
	}
	s.slots = newRenderSlots(cfg.RenderSlots, cfg.RenderWait)
	s.background = newBackground()
	s.recent = newRecentFeatures()
	s.metrics = newMetrics(prometheus.NewRegistry(), s.cache, s.slots)
	s.live = &liveState{}
	s.past = &pastRevisions{}
	if cfg.Store != nil {
		s.writer = &writer{store: cfg.Store, turn: make(chan struct{}, 1), limits: map[string]*rate.Limiter{}, imports: make(chan struct{}, maxImports)}
	}
	s.table = s.routeTable()
	s.live.current.Store(s)
	s.echo = s.routes()
	return s
}

// ServeHTTP makes the server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, r)
}
