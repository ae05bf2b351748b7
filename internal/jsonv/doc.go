// Package jsonv holds the JSON values that flow through stepd: a decoder that
// keeps object key order, an encoder that writes JSON the way AWS Step
// Functions does (compact, no HTML escaping), deep equality and copying.
//
// A value is one of: nil (JSON null), bool, int64 (an integral number that
// fits), float64 (any other number), string, []any (array) or *Object
// (object, keys in insertion order). Values produced by this package are
// treated as immutable by the engine: code that needs a modified value builds
// a new one (see [Object.With]) instead of changing a shared one in place.
package jsonv
