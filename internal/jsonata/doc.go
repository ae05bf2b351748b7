// Package jsonata evaluates JSONata expressions the way AWS Step Functions
// does, by running the official jsonata.js (version JSONataVersion, vendored
// under vendor/) on the goja JavaScript engine.
//
// # Interface
//
// Engine and Expr are deliberately small so that a native Go evaluator can
// replace goja later and be checked against the same tests:
//
//	eng := jsonata.New()
//	defer eng.Close()
//	x, err := eng.Compile(`$states.input.items[price > 10].name`)
//	v, ok, err := x.Eval(ctx, nil, map[string]any{"states": states})
//
// Values in and out are jsonv values. They cross into the VM as JSON text
// (JSON.parse inside, JSON.stringify out), so object key order survives, with
// one JavaScript rule applied on the way: keys that are array indices ("0",
// "17") come first, in ascending order, as in every JavaScript engine.
//
// # Pooling and caching
//
// A goja runtime is single-threaded, so the engine keeps a pool of VMs
// (WithPoolSize idle ones, at most WithMaxVMs in all). Each VM is served by
// its own worker goroutine and caches compiled expressions by source text
// (WithCacheSize), so evaluating the same expression again costs no parsing.
// A VM also keeps the last parsed input and the parsed value of each
// variable, and reuses them while their JSON text is unchanged: the fields
// of one state are evaluated against the same $states, and JSON.parse in
// goja costs as much as a simple evaluation.
//
// # Limits
//
// Each evaluation has a time limit (WithTimeLimit, one second by default as
// in Step Functions); when it passes, the VM is interrupted, Eval returns
// ErrTimeout, and the VM is thrown away, never reused. A VM that does not
// stop within a short grace period (stuck in native code such as a
// backtracking regular expression) is abandoned to its worker, which retires
// it when the call finally returns. Nesting of evaluation steps is capped
// (WithMaxDepth, error D1011), which stops runaway recursion long before it
// exhausts memory; goja's call stack is capped too. Regular-expression
// matches that backtrack are bounded by RegexpMatchLimit. Panics inside goja
// are recovered into errors, and the VM is retired.
//
// # Step Functions functions
//
// Every expression can call the functions Step Functions adds to JSONata
// (AWS Step Functions Developer Guide, "Transforming data with JSONata in
// Step Functions"): $partition(array, size), $range(start, end, step),
// $hash(value, algorithm) with MD5, SHA-1, SHA-256, SHA-384 or SHA-512,
// $random([seed]), $uuid() and $parse(jsonString). Numeric arguments are
// rounded down. $eval is refused. The randomness of $random() and $uuid()
// comes from WithRandSource, the time of $now() from WithClock.
//
// Argument types and counts are checked with JSONata signatures (error
// T0410). Other failures use these codes, which are stepd's own (AWS
// documents no codes for them):
//
//	D3200  $partition: the chunk size is not a positive integer
//	D3201  $range: the step is zero
//	D3202  $range: more than MaxRange elements
//	D3203  $hash: unsupported algorithm
//	D3204  $parse: the string is not valid JSON
//	D3205  $eval is not supported
//	D3206  the result nests deeper than MaxResultDepth
//
// $base64encode and $base64decode behave as jsonata.js does on Node.js: the
// engine supplies btoa/atob working on Latin-1 code units.
package jsonata
