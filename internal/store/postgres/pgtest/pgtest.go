// Package pgtest gives tests the PostgreSQL they run against: the database
// named by $STEPD_TEST_POSTGRES, else the one scripts/postgres.sh creates,
// and a fresh schema per test, dropped when the test ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable with the DSN of the PostgreSQL the
// tests use.
const EnvDSN = "STEPD_TEST_POSTGRES"

// DefaultDSN is what scripts/postgres.sh prints.
const DefaultDSN = "postgres://stepd:stepd@127.0.0.1:5432/stepd?sslmode=disable"

var (
	reachOnce sync.Once
	reachDSN  string
	reachErr  error
)

// DSN returns the test database's DSN, or skips tb when no server answers
// (tried once per test process).
func DSN(tb testing.TB) string {
	tb.Helper()
	reachOnce.Do(func() {
		reachDSN = os.Getenv(EnvDSN)
		if reachDSN == "" {
			reachDSN = DefaultDSN
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, reachDSN)
		if err != nil {
			reachErr = err
			return
		}
		reachErr = conn.Ping(ctx)
		_ = conn.Close(ctx)
	})
	if reachErr != nil {
		shown := reachDSN
		if u, err := url.Parse(reachDSN); err == nil {
			shown = u.Redacted()
		}
		tb.Skipf("no PostgreSQL at %s (%v): run scripts/postgres.sh, or set %s to a DSN", shown, reachErr, EnvDSN)
	}
	return reachDSN
}

// Schema returns the name of a new schema in the test database, dropped
// (with all it holds) when tb ends.
func Schema(tb testing.TB) string {
	tb.Helper()
	dsn := DSN(tb)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "stepd_test_" + hex.EncodeToString(b[:])
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// SchemaDSN returns the test database's DSN with its search_path set to a
// new schema (see Schema): what stepd's --store takes.
func SchemaDSN(tb testing.TB) string {
	tb.Helper()
	schema := Schema(tb)
	u, err := url.Parse(DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
