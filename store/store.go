// Package store keeps the data set as revisions: every write (one
// incident, or one import) is a new revision, numbered from 1, recorded
// with who made it, when and why, and what it changed field by field.
// Any revision can be read back whole. A Store is the source of truth a
// server loads its data set from; the data set itself (geo.Dataset) is
// built from it, and rebuilt on a new revision.
//
// The store keeps each incident as the GeoJSON Feature the loader reads,
// in one table of versions: a version is valid from the revision that
// wrote it up to the one that replaced or deleted it, so the data at
// revision N is the versions valid at N. A revision is written in one
// transaction: a crash at any point leaves the last committed revision
// whole (TestCrashMidImport).
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/incidentmap/incidentmap/geo"
)

// Revision is one write.
type Revision struct {
	Rev    int64
	At     time.Time
	Author string
	Reason string
}

// Op is what a change does to an incident.
type Op string

// Ops.
const (
	Create Op = "create"
	Update Op = "update"
	Delete Op = "delete"
)

// Change is what a revision does to one incident: its Feature after the
// change (nil for a delete) and, once committed, the fields it changed.
type Change struct {
	ID      string
	Op      Op
	Feature []byte
	Diff    []FieldChange
}

// FieldChange is one field a change changed: its path in the Feature
// ("geometry", "properties.title") and its JSON values before and after
// (null when there was none).
type FieldChange struct {
	Field string          `json:"field"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
}

// ErrNotFound is an incident or revision the store does not hold.
var ErrNotFound = errors.New("not found")

// ErrConflict is a change that does not fit the current revision: a
// create of an id that exists, an update or delete of one that does not.
var ErrConflict = errors.New("conflict")

// Store is a store on a database/sql database.
type Store struct {
	db *sql.DB
	id string // the store's id, from meta
	// lock, when set, serialises commits across processes, first thing in
	// a commit's transaction (SQLite's write lock does it there).
	lock func(context.Context, *sql.Tx) error
	// listenURL, when set, is the PostgreSQL a Watch listens on, and
	// commits announce their revision (watch.go).
	listenURL string
	// authQuery is Authenticate's query, prepared (tokens.go).
	authQuery *sql.Stmt
}

//go:embed migrations/*.sql
var migrations embed.FS

// start readies a store just opened: its migrations applied, then its
// queries prepared.
func (s *Store) start(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	q, err := s.db.PrepareContext(ctx, authQuery)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	s.authQuery = q
	return nil
}

// migrate applies the migrations the database has not had, each in its
// own transaction, in name order.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil || n > 0 {
				return err
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			for _, stmt := range strings.Split(string(body), ";\n") {
				if strings.TrimSpace(stripComments(stmt)) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return s.identify(ctx)
}

// identify reads the store's id, making it first when the store is new.
func (s *Store) identify(ctx context.Context) error {
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("store id: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('store_id', $1) ON CONFLICT (key) DO NOTHING`, hex.EncodeToString(id[:])); err != nil {
		return fmt.Errorf("store id: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'store_id'`).Scan(&s.id); err != nil {
		return fmt.Errorf("store id: %w", err)
	}
	return nil
}

// Version names the data of revision rev of this store: "r12-" and the
// store's id. A revision never changes once committed, so every replica
// gives the same data the same version, whether it loaded the revision
// or built it from the one before.
func (s *Store) Version(rev int64) string {
	return fmt.Sprintf("r%d-%s", rev, s.id)
}

// stripComments drops the SQL line comments of stmt.
func stripComments(stmt string) string {
	var b strings.Builder
	for line := range strings.Lines(stmt) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// tx runs fn in a transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error {
	_ = s.authQuery.Close() // closed with the database in any case
	return s.db.Close()
}

// Head returns the latest revision, 0 for an empty store.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var rev int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(rev), 0) FROM revisions`).Scan(&rev); err != nil {
		return 0, fmt.Errorf("head: %w", err)
	}
	return rev, nil
}

// Seed writes sites and, as revision 1, the incidents of a GeoJSON
// FeatureCollection, then each correction as a revision of its own, when
// the store is empty, all in one transaction; it reports whether it did.
// When another process seeded the store first, it does nothing.
func (s *Store) Seed(ctx context.Context, incidents, sites []byte, corrections []Correction, r Revision) (bool, error) {
	head, err := s.Head(ctx)
	if err != nil || head > 0 {
		return false, err
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(incidents, &fc); err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	changes := make([]Change, 0, len(fc.Features))
	current := make(map[string][]byte, len(fc.Features))
	for i, f := range fc.Features {
		var id struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(f, &id); err != nil || id.ID == "" {
			return false, fmt.Errorf("seed: feature %d has no string id", i)
		}
		changes = append(changes, Change{ID: id.ID, Op: Create, Feature: f})
		current[id.ID] = f
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockCommits(ctx, tx); err != nil {
			return err
		}
		var head int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rev), 0) FROM revisions`).Scan(&head); err != nil {
			return err
		}
		if head > 0 {
			return errSeeded
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sites (singleton, feature_collection) VALUES (1, $1)`, string(sites)); err != nil {
			return err
		}
		if err := s.writeRevision(ctx, tx, 1, r, changes); err != nil {
			return err
		}
		for i, c := range corrections {
			var fixes []Change
			for _, ch := range c.Changes {
				was, ok := current[ch.ID]
				if !ok {
					return fmt.Errorf("correction %d: no incident %q", i+1, ch.ID)
				}
				patched, err := MergePatch(was, ch.Patch)
				if err != nil {
					return fmt.Errorf("correction %d, %s: %w", i+1, ch.ID, err)
				}
				current[ch.ID] = patched
				fixes = append(fixes, Change{ID: ch.ID, Op: Update, Feature: patched})
			}
			if err := s.writeRevision(ctx, tx, int64(2+i), Revision{At: c.At, Author: c.Author, Reason: c.Reason}, fixes); err != nil {
				return err
			}
		}
		return s.announce(ctx, tx, int64(1+len(corrections)))
	})
	if errors.Is(err, errSeeded) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	return true, nil
}

// errSeeded is a seed that found the store seeded.
var errSeeded = errors.New("seeded already")

// Sites returns the sites as a GeoJSON FeatureCollection.
func (s *Store) Sites(ctx context.Context) ([]byte, error) {
	var fc string
	err := s.db.QueryRowContext(ctx, `SELECT feature_collection FROM sites WHERE singleton = 1`).Scan(&fc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sites: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sites: %w", err)
	}
	return []byte(fc), nil
}

// Commit writes changes as the next revision, with r's author, time and
// reason, and returns its number. Each change's Diff is worked out
// against the incident's current version. A change that does not fit
// (ErrConflict) commits nothing.
func (s *Store) Commit(ctx context.Context, r Revision, changes []Change) (int64, error) {
	return s.CommitAll(ctx, []Write{{r, changes}})
}

// Write is one revision to commit: who made it, when and why, and its
// changes.
type Write struct {
	Revision
	Changes []Change
}

// CommitAll commits writes as consecutive revisions, in one transaction
// (one sync to disk for them all), and returns the number of the first.
// A change that does not fit (ErrConflict) commits none of them.
func (s *Store) CommitAll(ctx context.Context, writes []Write) (int64, error) {
	var first int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockCommits(ctx, tx); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rev), 0) + 1 FROM revisions`).Scan(&first); err != nil {
			return err
		}
		for i, w := range writes {
			if len(w.Changes) == 0 {
				return errors.New("a revision with no changes")
			}
			if err := s.writeRevision(ctx, tx, first+int64(i), w.Revision, w.Changes); err != nil {
				return err
			}
		}
		return s.announce(ctx, tx, first+int64(len(writes))-1)
	})
	if err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return first, nil
}

// lockCommits serialises commits across processes where the database
// needs telling (lock); SQLite's write lock does it at BEGIN.
func (s *Store) lockCommits(ctx context.Context, tx *sql.Tx) error {
	if s.lock == nil {
		return nil
	}
	return s.lock(ctx, tx)
}

// writeRevision writes revision rev, with r's author, time and reason,
// and its changes.
func (s *Store) writeRevision(ctx context.Context, tx *sql.Tx, rev int64, r Revision, changes []Change) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO revisions (rev, at, author, reason) VALUES ($1, $2, $3, $4)`,
		rev, r.At.UTC().Format(time.RFC3339Nano), r.Author, r.Reason); err != nil {
		return err
	}
	for i := range changes {
		if err := s.apply(ctx, tx, rev, &changes[i]); err != nil {
			return err
		}
	}
	return nil
}

// apply writes one change as part of revision rev.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, rev int64, c *Change) error {
	var current sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT feature FROM incident_versions WHERE id = $1 AND rev_to IS NULL`, c.ID).Scan(&current)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	switch exists := current.Valid; {
	case c.Op == Create && exists:
		return fmt.Errorf("create %q: %w: it exists", c.ID, ErrConflict)
	case c.Op != Create && !exists:
		return fmt.Errorf("%s %q: %w: no such incident", c.Op, c.ID, ErrConflict)
	case c.Op != Delete && c.Feature == nil:
		return fmt.Errorf("%s %q: no feature", c.Op, c.ID)
	}
	var before []byte
	if current.Valid {
		before = []byte(current.String)
		if _, err := tx.ExecContext(ctx, `UPDATE incident_versions SET rev_to = $1 WHERE id = $2 AND rev_to IS NULL`, rev, c.ID); err != nil {
			return err
		}
	}
	if c.Op != Delete {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_versions (id, rev_from, feature) VALUES ($1, $2, $3)`, c.ID, rev, string(c.Feature)); err != nil {
			return err
		}
	}
	diff, err := Diff(before, c.Feature)
	if err != nil {
		return fmt.Errorf("%s %q: %w", c.Op, c.ID, err)
	}
	c.Diff = diff
	var js strings.Builder
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false) // text as it is; whoever shows it escapes it
	if err := enc.Encode(diff); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO changes (rev, incident, op, diff) VALUES ($1, $2, $3, $4)`, rev, c.ID, string(c.Op), strings.TrimSuffix(js.String(), "\n"))
	return err
}

// WriteCollection writes the incidents as they were at revision rev, a
// GeoJSON FeatureCollection in id order, to w: what geo.LoadDataset
// reads, streamed, so a million incidents are never all in memory.
func (s *Store) WriteCollection(ctx context.Context, rev int64, w io.Writer) error {
	rows, err := s.db.QueryContext(ctx,
		`SELECT feature FROM incident_versions WHERE rev_from <= $1 AND (rev_to IS NULL OR rev_to > $1) ORDER BY id`, rev)
	if err != nil {
		return fmt.Errorf("read revision %d: %w", rev, err)
	}
	defer rows.Close()
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	var feature []byte
	for n := 0; rows.Next(); n++ {
		if err := rows.Scan(&feature); err != nil {
			return fmt.Errorf("read revision %d: %w", rev, err)
		}
		if n > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		if _, err := w.Write(feature); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read revision %d: %w", rev, err)
	}
	_, err = io.WriteString(w, "]}")
	return err
}

// Revisions returns up to limit revisions before rev (all when rev is
// 0), newest first.
func (s *Store) Revisions(ctx context.Context, before int64, limit int) ([]Revision, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.db.QueryContext(ctx, `SELECT rev, at, author, reason FROM revisions WHERE rev < $1 ORDER BY rev DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var r Revision
		var at string
		if err := rows.Scan(&r.Rev, &at, &r.Author, &r.Reason); err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		if r.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("revision %d: time %q: %w", r.Rev, at, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Changes returns what revision rev changed, by incident id.
func (s *Store) Changes(ctx context.Context, rev int64) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT incident, op, diff FROM changes WHERE rev = $1 ORDER BY incident`, rev)
	if err != nil {
		return nil, fmt.Errorf("changes of %d: %w", rev, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var op, diff string
		if err := rows.Scan(&c.ID, &op, &diff); err != nil {
			return nil, fmt.Errorf("changes of %d: %w", rev, err)
		}
		c.Op = Op(op)
		if err := json.Unmarshal([]byte(diff), &c.Diff); err != nil {
			return nil, fmt.Errorf("changes of %d, %s: %w", rev, c.ID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// IncidentChange is what one revision did to one incident, with the
// revision's time, author and reason.
type IncidentChange struct {
	Revision
	Change
}

// History returns up to limit of the revisions before rev before (all
// when before is 0) that changed incident id, newest first, each with
// what it did to id: the incident's own corrections log.
func (s *Store) History(ctx context.Context, id string, before int64, limit int) ([]IncidentChange, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.rev, r.at, r.author, r.reason, c.op, c.diff FROM changes c JOIN revisions r ON r.rev = c.rev
		WHERE c.incident = $1 AND c.rev < $2 ORDER BY c.rev DESC LIMIT $3`, id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", id, err)
	}
	defer rows.Close()
	var out []IncidentChange
	for rows.Next() {
		c := IncidentChange{Change: Change{ID: id}}
		var at, op, diff string
		if err := rows.Scan(&c.Rev, &at, &c.Author, &c.Reason, &op, &diff); err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		if c.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("revision %d: time %q: %w", c.Rev, at, err)
		}
		c.Op = Op(op)
		if err := json.Unmarshal([]byte(diff), &c.Diff); err != nil {
			return nil, fmt.Errorf("history of %s, revision %d: %w", id, c.Rev, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Open opens the store dsn names: a postgres:// (or postgresql://) URL,
// or else the path of a SQLite file.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, dsn)
}

// Dataset builds the data set of revision rev: the incidents streamed
// from the store into geo.LoadDataset, which decodes them as they come.
// Its Version is the revision's (Version).
func (s *Store) Dataset(ctx context.Context, rev int64) (*geo.Dataset, error) {
	sites, err := s.Sites(ctx)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.WriteCollection(ctx, rev, pw)) }()
	ds, err := geo.LoadDataset(pr, sites)
	pr.CloseWithError(errors.New("load ended")) // let the writer stop, if the load stopped first
	if err != nil {
		return nil, fmt.Errorf("revision %d: %w", rev, err)
	}
	ds.Version = s.Version(rev)
	return ds, nil
}
