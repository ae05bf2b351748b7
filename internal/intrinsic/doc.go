// Package intrinsic parses and evaluates the Step Functions intrinsic
// functions (States.Format, States.Array, States.MathAdd, ...) that JSONPath
// states may use in ".$" fields.
//
// A call is parsed once with [Parse] into a [*Call] tree whose path
// arguments are compiled JSONPath expressions, and evaluated many times with
// [Call.Eval]. Evaluation reads paths and randomness through an [Env], so
// results are exact in tests.
package intrinsic
