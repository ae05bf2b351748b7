// Package sqlfile reads the SQL files the SQL stores embed: named queries
// ("-- name: X" blocks, as sqlc writes them) and numbered migrations
// (NNNN_description.sql).
package sqlfile

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Queries reads the file name in fsys and returns each "-- name: X" block's
// SQL, trimmed, by name. Lines before the first name and comment lines
// inside a block are dropped.
func Queries(fsys fs.FS, name string) (map[string]string, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	out := map[string]string{}
	var cur string
	var b strings.Builder
	flush := func() error {
		if cur == "" {
			return nil
		}
		q := strings.TrimSpace(b.String())
		if q == "" {
			return fmt.Errorf("%s: query %s is empty", name, cur)
		}
		if _, dup := out[cur]; dup {
			return fmt.Errorf("%s: query %s defined twice", name, cur)
		}
		out[cur] = q
		b.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(trimmed, "-- name:"); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			cur = strings.TrimSpace(rest)
			continue
		}
		if strings.HasPrefix(trimmed, "--") || cur == "" {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations reads dir in fsys: files NNNN_description.sql, numbered from 1
// without gaps, in version order.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: want NNNN_description.sql", name)
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(data)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: version %d, want %d", m.Name, m.Version, i+1)
		}
	}
	return ms, nil
}

// Require returns an error naming the queries of names that q lacks.
func Require(q map[string]string, names ...string) error {
	var missing []string
	for _, n := range names {
		if q[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("queries missing: %s", strings.Join(missing, ", "))
	}
	return nil
}
