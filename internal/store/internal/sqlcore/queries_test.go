package sqlcore

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadQueries(t *testing.T) {
	t.Parallel()
	own := fstest.MapFS{"q.sql": {Data: []byte("-- name: Own\nSELECT 1\n")}}
	q, err := LoadQueries(own, "q.sql")
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("Own") != "SELECT 1" || q.Get("SchemaVersion") == "" {
		t.Errorf("own and shared queries: %q %q", q.Get("Own"), q.Get("SchemaVersion"))
	}
	twice := fstest.MapFS{"q.sql": {Data: []byte("-- name: SchemaVersion\nSELECT 2\n")}}
	if _, err := LoadQueries(twice, "q.sql"); err == nil || !strings.Contains(err.Error(), "query SchemaVersion is in both") {
		t.Errorf("a shared name in the store's file: %v", err)
	}
}
