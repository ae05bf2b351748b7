package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// FunctionRecord is what a [ConfigStore] keeps about one function: its
// configuration and where its code lives.
type FunctionRecord struct {
	// Config is the function's configuration as the API reports it.
	Config *FunctionConfiguration `json:"Configuration"`
	// ReservedConcurrency is the reserved concurrency, nil when unset.
	ReservedConcurrency *int `json:"ReservedConcurrentExecutions,omitempty"`
	// Tags are the function's tags.
	Tags map[string]string `json:"Tags,omitempty"`
	// CodeDir is the directory the function runs from.
	CodeDir string `json:"CodeDir"`
	// LocalCode is true when CodeDir is the user's own directory, used in
	// place; false when stepd unpacked the code there.
	LocalCode bool `json:"LocalCode,omitempty"`
	// ZipPath is the uploaded archive, kept for GetFunction downloads; empty
	// for local code.
	ZipPath string `json:"ZipPath,omitempty"`
	// Versions are the published versions (in $LATEST's record only),
	// each a snapshot of the configuration and code location.
	Versions []*FunctionRecord `json:"Versions,omitempty"`
	// Aliases are the function's aliases (in $LATEST's record only).
	Aliases []*AliasConfiguration `json:"Aliases,omitempty"`
	// BaseDescription is, in a version's record, $LATEST's description
	// when the version was published (the version's own may differ).
	BaseDescription string `json:"BaseDescription,omitempty"`
	// LastVersion is the highest version number published so far; numbers
	// are not reused.
	LastVersion int `json:"LastVersion,omitempty"`
	// EventInvokeConfigs are the event invoke configurations (in $LATEST's
	// record only), by qualifier ($LATEST, a version or an alias).
	EventInvokeConfigs map[string]*EventInvokeConfig `json:"EventInvokeConfigs,omitempty"`
}

// ConfigStore persists function records. Implementations must be safe for
// concurrent use. The Service serialises writes for one function name.
type ConfigStore interface {
	// LoadFunctions returns every stored record.
	LoadFunctions(ctx context.Context) ([]*FunctionRecord, error)
	// PutFunction creates or replaces the record of rec.Config.FunctionName.
	PutFunction(ctx context.Context, rec *FunctionRecord) error
	// DeleteFunction removes a record; removing a missing one is not an error.
	DeleteFunction(ctx context.Context, name string) error
}

// FileStore is a [ConfigStore] keeping one JSON file per function at
// DIR/functions/<name>/function.json, next to the function's code.
type FileStore struct {
	root string
}

var _ ConfigStore = (*FileStore)(nil)

// NewFileStore returns a store rooted at the data directory dataDir.
func NewFileStore(dataDir string) *FileStore {
	return &FileStore{root: filepath.Join(dataDir, "functions")}
}

func (f *FileStore) path(name string) string {
	return filepath.Join(f.root, name, "function.json")
}

// LoadFunctions implements [ConfigStore]. Unreadable records are reported,
// not skipped.
func (f *FileStore) LoadFunctions(ctx context.Context) ([]*FunctionRecord, error) {
	entries, err := os.ReadDir(f.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list functions: %w", err)
	}
	var out []*FunctionRecord
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !e.IsDir() {
			continue
		}
		data, err := os.ReadFile(f.path(e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a directory left by an interrupted create
		}
		if err != nil {
			return nil, fmt.Errorf("read function %s: %w", e.Name(), err)
		}
		var rec FunctionRecord
		if err := json.Unmarshal(data, &rec); err != nil || rec.Config == nil {
			return nil, fmt.Errorf("read function %s: invalid record %s", e.Name(), f.path(e.Name()))
		}
		out = append(out, &rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Config.FunctionName < out[j].Config.FunctionName })
	return out, nil
}

// PutFunction implements [ConfigStore]: it writes a temporary file, syncs it
// and renames it over the old record.
func (f *FileStore) PutFunction(_ context.Context, rec *FunctionRecord) error {
	name := rec.Config.FunctionName
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return fmt.Errorf("encode function %s: %w", name, err)
	}
	if err := writeFileAtomic(f.path(name), data); err != nil {
		return fmt.Errorf("save function %s: %w", name, err)
	}
	return nil
}

// DeleteFunction implements [ConfigStore]. It removes the whole function
// directory, code included.
func (f *FileStore) DeleteFunction(_ context.Context, name string) error {
	if err := os.RemoveAll(filepath.Join(f.root, name)); err != nil {
		return fmt.Errorf("delete function %s: %w", name, err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
