// Package api is stepd's HTTP front: the AWS wire protocols and error
// shapes, routing, and the handlers of each service.
//
// A [Router] serves two kinds of routes on one port:
//
//   - AWS JSON 1.0/1.1 services (Step Functions, CloudWatch Logs) are all
//     "POST /" with an X-Amz-Target header "<Prefix>.<Operation>". A
//     [TargetRouter] maps the prefix (AWSStepFunctions, Logs_20140328) to a
//     [TargetHandler]; [JSONService] is a ready-made handler that decodes
//     the body and dispatches on the operation name. Unknown targets get
//     UnknownOperationException.
//   - REST services (Lambda) are routed by method and path with Go 1.22
//     ServeMux patterns; see [RegisterLambda].
//
// Every handler runs behind a recover that turns a panic into an
// AWS-shaped 500 error, and every response carries an x-amzn-RequestId.
// Credentials are accepted without verification.
package api
