package store

import "errors"

// The sentinel errors. Store methods return errors that wrap them (test with
// errors.Is); the API layer alone maps them to AWS exception names.
var (
	// ErrNotFound: the state machine, version, alias, activity, execution or
	// task named does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a resource with that ARN exists already.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the change contradicts the stored state: a Commit whose
	// PrevEventCount is stale or whose Owner does not hold the lease, a task
	// token already in use, a version an alias still routes to, a revision
	// that moved on, a request for an execution that is not RUNNING.
	ErrConflict = errors.New("conflict")
	// ErrInvalidToken: a NextToken that this list did not hand out.
	ErrInvalidToken = errors.New("invalid pagination token")
	// ErrInvalid: a malformed argument (a MaxResults out of range, a
	// Transition or Request that fails Validate, a routing configuration
	// that does not parse).
	ErrInvalid = errors.New("invalid argument")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
)
