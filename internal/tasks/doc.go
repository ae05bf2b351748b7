// Package tasks runs the work a Task state asks for, by resource: Lambda
// functions (a function ARN, or arn:aws:states:::lambda:invoke), mocked
// responses in the Step Functions Local mock-config format, and the hooks
// the server uses for activities, callbacks and nested executions. A
// Dispatcher receives the engine's RunTask requests and reports back through
// a Reporter.
package tasks
