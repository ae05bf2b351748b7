package main

import (
	"sync"

	"stepd/internal/asl"
	"stepd/internal/jsonata"
)

// jsonataEngine is the process's JSONata engine, created on first use.
var jsonataEngine = sync.OnceValue(func() *jsonata.GojaEngine { return jsonata.New() })

// compileOptions are the options every stepd command compiles definitions
// with.
func compileOptions(smType string) asl.Options {
	return asl.Options{Type: smType, JSONata: jsonataEngine()}
}
