package main

import "stepd/internal/asl"

// compileOptions are the options every stepd command compiles definitions
// with.
func compileOptions(smType string) asl.Options {
	return asl.Options{Type: smType}
}
