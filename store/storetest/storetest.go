// Package storetest gives tests a PostgreSQL of their own: a fresh schema
// on the machine's server, as every test about PostgreSQL needs one.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the PostgreSQL driver, registered as "pgx"
)

// Postgres creates a schema of its own on DATABASE_URL (default the
// machine's server, postgres://postgres@127.0.0.1:5432/postgres) and
// returns the URL that works in it, and drop, which removes it (and runs
// at the test's end). Without a server it returns ok false, for the
// caller to skip what needs one, unless CI=true, where it fails the test.
func Postgres(t testing.TB) (dsn string, drop func(), ok bool) {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres"
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", url)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s: %v (CI=true: tests about PostgreSQL must run against it)", url, err)
		}
		t.Logf("PostgreSQL at %s: %v", url, err)
		return "", nil, false
	}
	schema := fmt.Sprintf("test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	drop = func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	}
	t.Cleanup(func() {
		drop()
		admin.Close()
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema, drop, true
}
