// Package intrinsic parses and evaluates the Step Functions intrinsic
// functions (States.Format, States.Array, States.MathAdd and the 15 others)
// that JSONPath states may use in ".$" fields, Fail's ErrorPath/CausePath
// and JSONPath Assign.
//
// A call is parsed once with [Parse] into a [*Call] tree whose path
// arguments are compiled JSONPath expressions (see package jsonpath), and
// evaluated many times with [Call.Eval]. Parse checks everything that is
// known before the data is: function names, argument counts, the types of
// literal arguments and of nested calls' results, the Format template's
// placeholders, the hash algorithm, the nesting depth (at most 10 calls deep)
// and the escapes in string literals (\' \{ \} \\).
//
// # Errors
//
// Evaluation reads paths and randomness through an [Env], so results are
// exact in tests. A path argument that cannot be resolved fails with the
// error Env.Resolve returned, unchanged: the caller reports it as
// States.Runtime, as AWS reports every path failure (aws-semantics.md §1.3).
// Every other failure (a value of the wrong type, an index out of range, a
// limit exceeded) is an [*Error] named States.IntrinsicFailure, the error the
// Amazon States Language specification and the Step Functions error-name list
// reserve for a failed intrinsic; AWS's own wording for these failures is not
// on record (aws-semantics.md §2), so the causes are ours.
//
// # Observed quirks reproduced
//
// States.Format renders objects and arrays as Java's toString does
// ({a=1, b=[x, y]}); States.MathAdd rounds each argument half up as Java's
// Math.round before adding; States.StringSplit treats every character of the
// separator as a separator and drops empty tokens (java.util.StringTokenizer);
// States.StringToJson turns "", blank text and "null" into null; States.Hash
// prints lowercase hex. States.MathRandom with a seed uses java.util.Random,
// the generator the Java SE specification defines, so a seed always gives the
// same number.
package intrinsic
