package api

import (
	"net/url"

	"github.com/labstack/echo/v4"
)

// query says what a route takes in its query string. The route table
// gives every route one, and checkQuery enforces it before the handler
// runs: the query's names and its format are checked in one place, the
// values of the other parameters by the handler's parser.
type query struct {
	// params are the parameter names the route takes, "f" among them
	// exactly when formats is set.
	params []string
	// formats are the values f may take, the default first; f=json also
	// asks for the default (the JSON form), as OGC API clients send it.
	formats []string
	// ignoreOthers makes parameters not in params ignored rather than
	// refused: pages, whose shared links pick up utm_source and the
	// like, and endpoints outside the API.
	ignoreOthers bool
}

// queryFor gives the query a request's route takes; ok is false when the
// path names nothing (an unknown collection), which the handler answers
// 404 whatever the query.
type queryFor interface {
	queryOf(c echo.Context) (q query, ok bool)
}

func (q query) queryOf(echo.Context) (query, bool) { return q, true }

// perCollection is the query of a route under /api/collections/{id}, for
// each collection id.
type perCollection map[string]query

func (p perCollection) queryOf(c echo.Context) (query, bool) {
	q, ok := p[c.Param("id")]
	return q, ok
}

// Queries that several routes take.
var (
	// jsonDoc is the query of a metadata document: f=json at most.
	jsonDoc = query{params: []string{"f"}, formats: []string{"json"}}
	// anything is the query of routes outside the API (health, metrics,
	// static files, unknown paths): not checked.
	anything = query{ignoreOthers: true}
	// pageQuery is the query of the pages: the view parameters and lang, each once;
	// anything else is ignored.
	pageQuery = query{params: append([]string{"lang"}, viewParams...), ignoreOthers: true}
)

// check refuses a query that names a parameter q does not take (unless q
// ignores them), gives one twice, or asks for a format q does not serve;
// it returns the format asked for, "" when q has none.
func (q query) check(v url.Values) (format string, err error) {
	if q.ignoreOthers {
		given := url.Values{}
		for _, name := range q.params {
			if vs, ok := v[name]; ok {
				given[name] = vs
			}
		}
		v = given
	}
	if err := checkParams(v, q.params); err != nil {
		return "", err
	}
	if len(q.formats) == 0 {
		return "", nil
	}
	return parseFormat(v.Get("f"), q.formats...)
}

// formatKey is where checkQuery leaves the format in the echo context.
const formatKey = "incidentmap.format"

// checkQuery checks a request's query against its route's before the
// handler runs. On a route that serves several formats it leaves the one
// asked for where formatOf finds it (only there: the context's store
// costs three allocations a request).
func checkQuery(qf queryFor, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		q, ok := qf.queryOf(c)
		if !ok {
			return next(c)
		}
		f, err := q.check(queryValues(c))
		if err != nil {
			return err
		}
		if len(q.formats) > 1 {
			c.Set(formatKey, f)
		}
		return next(c)
	}
}

// queryValues is the request's query, parsed once a request (echo keeps
// it), or nil, parsing nothing, when the request has none: most tiles and
// layers, whose empty map would be made only to be found empty.
func queryValues(c echo.Context) url.Values {
	if c.Request().URL.RawQuery == "" {
		return nil
	}
	return c.QueryParams()
}

// formatOf is the format the request asked for (with f) on a route that
// serves several, checked against them: the default when it gave none.
func formatOf(c echo.Context) string {
	f, _ := c.Get(formatKey).(string)
	return f
}
