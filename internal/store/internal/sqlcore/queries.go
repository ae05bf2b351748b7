package sqlcore

import (
	"fmt"
	"io/fs"

	"stepd/internal/store/internal/sqlfile"
)

// Queries are a store's query texts by name.
type Queries struct {
	file   string
	byName map[string]string
}

// LoadQueries reads the queries of the file name in fsys (sqlfile.Queries).
func LoadQueries(fsys fs.FS, name string) (Queries, error) {
	q, err := sqlfile.Queries(fsys, name)
	if err != nil {
		return Queries{}, err
	}
	return Queries{file: name, byName: q}, nil
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
