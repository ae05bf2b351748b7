package memstore_test

import (
	"testing"

	"stepd/internal/store"
	"stepd/internal/store/memstore"
	"stepd/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

// BenchmarkStore runs the storetest benchmarks.
func BenchmarkStore(b *testing.B) {
	storetest.Benchmarks(b, func(b *testing.B) store.Store { return memstore.New() })
}
