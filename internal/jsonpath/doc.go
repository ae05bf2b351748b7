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
// # Results
//
// Definite paths (names and single indexes only, optionally ending in a
// multi-property selection such as $['a','b']) yield exactly one value and
// fail when nothing matches. Indefinite paths yield a []any of every match,
// which may be empty: Step Functions never reports a missing value on an
// indefinite path (a wildcard or slice over missing data yields []).
//
// Evaluation failures are [*Error] values whose text follows the wording AWS
// reports in a States.Runtime cause; it is Jayway's wording with the
// normalized path ($['a']['b'][0]) built from the parsed steps:
//
//	Invalid path '$.x' : No results for path: $['x']
//	Invalid path '$.no.such' : Missing property in path $['no']
//
// Reference paths (compiled with [CompileReference]: ResultPath, ItemsPath)
// are evaluated by AWS's own code rather than Jayway, and fail with a
// [*ReferenceError] (States.ReferencePathConflict on AWS):
//
//	Unable to apply step "objects" to input {"discovery":{}}
//
// Names in brackets are kept verbatim, backslashes included: AWS resolves
// $['Test\""Name"'] to the key Test\""Name" (a recorded case).
//
// # Filters
//
// Filters ([?(...)]) support ==, !=, <, <=, >, >=, =~ (a Java-style regular
// expression /re/flags that must match the whole value), in and nin, the
// logical operators &&, || and !, parentheses and existence tests such as
// [?(@.isbn)]. Operands are @ and $ paths, strings, numbers, true, false,
// null and JSON literals. Comparisons follow Jayway: values of different
// types are unequal, except that a number and a numeric string compare as
// numbers. As the Step Functions documentation says, @ does not match scalar
// values inside arrays: only object elements are tested. Path functions such
// as length() and lexical operators such as subsetof are rejected when the
// path is compiled.
//
// # Implementation
//
// Everything is evaluated on the parsed steps. Definite paths, the common
// case, are walked without allocating. github.com/ohler55/ojg/jp was the
// planned engine for the other forms, but on jsonv values it orders deep
// scans differently from Jayway, panics when a filter compares arrays, drops
// matches of != and does not apply a filter to an object; it remains in the
// tests as a differential oracle for the forms where it agrees with Jayway.
package jsonpath
