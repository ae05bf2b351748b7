// Package jsonpath implements the JSONPath dialect of AWS Step Functions,
// which is the Jayway JsonPath flavour: paths such as "$.a.b[0]" select data
// from the state input, "$$.Execution.Id" from the context object and
// "$name.field" from a workflow variable.
//
// A path is compiled once with [Compile] (full paths: filters, wildcards,
// slices, unions, deep scan) or [CompileReference] (reference paths for
// ResultPath: names and single indexes only) and evaluated many times with
// [Path.Get] and [Path.Set]. A compiled [Path] is immutable and safe for
// concurrent use.
//
// Definite paths (names and single indexes only) yield exactly one value and
// fail when nothing matches; indefinite paths yield an array of every match,
// which may be empty. Evaluation failures are [*Error] values whose text
// follows the wording AWS reports in a States.Runtime cause, for example
//
//	Invalid path '$.x' : No results for path: $['x']
//
// Definite paths are evaluated by this package directly, without allocating;
// the other forms are evaluated by github.com/ohler55/ojg/jp.
package jsonpath
