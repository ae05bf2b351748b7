package sqlfile

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestQueries(t *testing.T) {
	fsys := fstest.MapFS{"q.sql": {Data: []byte(`-- header comment
-- name: One
SELECT 1
-- a comment inside
FROM t;

-- name: Two
UPDATE t SET x = $1
`)}}
	q, err := Queries(fsys, "q.sql")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"One": "SELECT 1\nFROM t;", "Two": "UPDATE t SET x = $1"}
	if len(q) != len(want) || q["One"] != want["One"] || q["Two"] != want["Two"] {
		t.Errorf("Queries = %q, want %q", q, want)
	}
	if err := Require(q, "One", "Three", "Four"); err == nil || !strings.Contains(err.Error(), "Three, Four") {
		t.Errorf("Require: %v", err)
	}
	for name, text := range map[string]string{
		"duplicate": "-- name: A\nSELECT 1\n-- name: A\nSELECT 2\n",
		"empty":     "-- name: A\n-- name: B\nSELECT 2\n",
	} {
		if _, err := Queries(fstest.MapFS{"q.sql": {Data: []byte(text)}}, "q.sql"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Queries(fsys, "missing.sql"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestMigrations(t *testing.T) {
	ok := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("ALTER TABLE t ADD y")},
		"m/0001_init.sql": {Data: []byte("CREATE TABLE t (x)")},
		"m/README":        {Data: []byte("not a migration")},
	}
	ms, err := Migrations(ok, "m")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[0].Name != "0001_init" || ms[1].SQL != "ALTER TABLE t ADD y" {
		t.Errorf("Migrations = %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"no 1":     {"m/0002_b.sql": {}},
		"bad name": {"m/first.sql": {}},
		"zero":     {"m/0000_z.sql": {}},
	} {
		if _, err := Migrations(fsys, "m"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
