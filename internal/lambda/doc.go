// Package lambda is stepd's function runtime: a registry of Lambda-style
// functions, their code on disk, and the execution environments that run
// them as local processes speaking the AWS Lambda Runtime API.
//
// # Functions
//
// A [Service] holds function definitions (the Lambda API's
// FunctionConfiguration plus code). Definitions persist through a
// [ConfigStore]; the default [FileStore] keeps them in the data directory,
// with code unpacked under DATA/functions/<name>/code/<revision>/. A function
// may instead point at a local directory (for fast local development), which
// is then used in place.
//
// # Versions and aliases
//
// PublishVersion (or Publish on CreateFunction and UpdateFunctionCode)
// snapshots $LATEST's configuration and code as version 1, 2, ...: a version
// keeps the unpacked code revision it was published from (revisions are
// never changed in place), so later code updates do not change it. A
// function run from a local directory gets versions that run from that same
// directory: they snapshot its configuration only. Publishing when nothing
// changed since the newest version returns that version, as AWS does.
// Aliases name a version ($LATEST or a number) and may route a weighted
// share of invokes to a second version. Versions and aliases live in the
// function's record and survive restarts. Invokes and the Get operations
// name them with a Qualifier or a qualified name (name:3, name:live, or the
// ARN forms).
//
// # Execution environments
//
// Invoking a function runs it in an execution environment: one process
// started from the function's runtime (python3.* on the local python3,
// nodejs* on the local node, provided* from an executable named bootstrap in
// the code) plus a Runtime API server (/2018-06-01/runtime/...) on a loopback
// port of its own, announced to the process in AWS_LAMBDA_RUNTIME_API. The
// Python and Node.js bootstraps are embedded in the binary.
//
// Environments are reused while warm, each only by the version it was
// started for: one of $LATEST never serves a published version, and an
// update retires $LATEST's idle ones. A function runs at most as many
// environments at once as its reserved concurrency (or
// [Options.DefaultConcurrency]); further invokes queue until one is free or
// their context ends. Idle environments are reclaimed after
// [Options.IdleTimeout]. An environment whose invoke timed out, crashed or
// ran out of memory is discarded; the next invoke starts a fresh one.
//
// # Failures
//
// Function failures are not Go errors: [InvokeOutput.FunctionError] is
// "Unhandled" and the payload is the error document, shaped as AWS shapes it
// (Sandbox.Timedout, Runtime.ExitError, Runtime.OutOfMemory,
// Runtime.ImportModuleError, ...). A failure of the service itself (unknown
// function, bad parameter, throttling) is an [*APIError].
//
// # Logs
//
// Each environment's stdout and stderr are captured line by line into a log
// modelled on CloudWatch Logs: log group /aws/lambda/<name>, one stream per
// environment, START/END/REPORT lines around each invocation. See
// [Service.Logs] and [Service.Invocations].
package lambda
