package sqlcore

import (
	"embed"
	"fmt"
	"io/fs"

	"stepd/internal/store/internal/sqlfile"
)

// Queries are a store's query texts by name.
type Queries struct {
	file   string
	byName map[string]string
}

//go:embed sql/queries.sql
var sharedFS embed.FS

// sharedFile holds the queries both SQL stores run word for word.
const sharedFile = "sql/queries.sql"

// LoadQueries reads the queries of the file name in fsys (sqlfile.Queries)
// and adds the shared ones of this package's sql/queries.sql. A name in
// both is an error: a store has one text for each query.
func LoadQueries(fsys fs.FS, name string) (Queries, error) {
	q, err := sqlfile.Queries(fsys, name)
	if err != nil {
		return Queries{}, err
	}
	shared, err := sqlfile.Queries(sharedFS, sharedFile)
	if err != nil {
		return Queries{}, err
	}
	for n, text := range shared {
		if _, dup := q[n]; dup {
			return Queries{}, fmt.Errorf("query %s is in both %s and sqlcore's %s", n, name, sharedFile)
		}
		q[n] = text
	}
	return Queries{file: name + " or sqlcore's " + sharedFile, byName: q}, nil
}

// MustLoadQueries is LoadQueries for a package variable: it panics on error.
func MustLoadQueries(fsys fs.FS, name string) Queries {
	q, err := LoadQueries(fsys, name)
	if err != nil {
		panic(err)
	}
	return q
}

// Get returns the named query. A missing name is a programming error, which
// the tests catch: Get panics.
func (q Queries) Get(name string) string {
	s, ok := q.byName[name]
	if !ok {
		panic(fmt.Sprintf("no query %s in %s", name, q.file))
	}
	return s
}
