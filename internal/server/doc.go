// Package server wires `stepd serve`: configuration from flags and
// environment variables, one listener for every API, a health endpoint,
// and graceful shutdown.
//
// The services on the port today are the Lambda API (REST, /2015-03-31/...)
// and a minimal CloudWatch Logs API (X-Amz-Target Logs_20140328.*) over the
// function logs. The Step Functions API (X-Amz-Target AWSStepFunctions.*)
// attaches to the same target router; see [Server.Router].
package server
