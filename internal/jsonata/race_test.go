//go:build race

package jsonata

// raceEnabled reports whether the tests run under the race detector, which
// makes goja several times slower.
const raceEnabled = true
