// Package store is stepd's persistence seam: the Store interface the
// service and the durable driver use, the data it keeps (state machines,
// their versions and aliases, activities, tags, executions with their
// history, timers, tasks and pending requests), and the sentinel errors
// callers branch on.
//
// Three implementations live below it, each named for what it talks to:
//
//   - store/sqlite: modernc.org/sqlite in WAL mode, one writer connection and
//     a read pool; the default store of `stepd serve`.
//   - store/postgres: pgx v5; several `stepd serve` nodes share one database,
//     coordinating through execution leases, FOR UPDATE SKIP LOCKED claims and
//     LISTEN/NOTIFY wake-ups.
//   - store/memstore: in memory, with the same behaviour; used for EXPRESS
//     executions and as the model the other stores are checked against.
//
// Every implementation runs the same behaviour suite, store/storetest.
//
// # Transitions
//
// The engine turns each input of an execution into a batch of history
// events, commands and a new snapshot of its state. The driver records that
// batch as one Transition and calls Commit before it acts on any command.
// Commit applies all of it atomically: the events are appended (ids dense,
// continuing the stored history), the execution's status, output, error,
// stop date, redrive fields and snapshot are replaced, timers and tasks
// are put and deleted, and the requests the transition applied are deleted.
// A Commit that fails leaves nothing behind.
//
// Commit is optimistic: a Transition names the event count it builds on
// (PrevEventCount) and fails with ErrConflict when the stored history has
// moved on, so a transition is applied at most once even when two nodes
// believe they own an execution. SQL stores batch concurrent Commits into one
// database transaction (group commit); each caller still learns its own
// outcome.
//
// # Ownership
//
// Running executions are owned through leases: a node id and an expiry. A
// node claims the RUNNING executions whose lease is free or expired
// (ClaimExecutions, at start and periodically), renews its leases
// (RenewLeases) and releases them on shutdown. A Commit that names an Owner
// fails with ErrConflict when another node holds the lease. A Commit that
// ends an execution releases its lease and deletes its remaining timers,
// tasks and requests, so these only ever belong to executions that have not
// ended.
//
// # Requests
//
// A request about an execution (a task token's success, failure or
// heartbeat, a stop) can reach any node, but only the lease holder may apply
// it. PostRequest stores it durably in the execution's inbox and notifies
// ExecutionReady; the lease holder reads its inbox with Requests and applies
// the requests in the next transition, whose DeleteRequests removes them in
// the same atomic Commit. A request outlives the node that was to apply it:
// whoever claims the execution next finds it.
//
// # The driver's use of a store
//
// The durable driver of `stepd serve` (node id N, lease length L) is
// expected to:
//
//  1. Start an execution with CreateExecution and its first transition,
//     leased to N. ErrAlreadyExists means the name is taken: StartExecution
//     is idempotent for a RUNNING execution with the same input (compare
//     with GetExecution), otherwise ExecutionAlreadyExists.
//  2. For every transition, Commit a Transition with PrevEventCount = the
//     event count it started from, Owner = N, the new events, all the
//     execution fields, and the timers and tasks its commands add (SetTimer,
//     RunTask) and remove (CancelTimer, CancelTask, fired timers, finished
//     tasks); act on the commands only once Commit has returned nil. On
//     ErrConflict another node has taken the execution over: drop it from
//     memory.
//  3. Every L/3 or so, RenewLeases(N, now+L); periodically (and on an
//     ExecutionReady or Resync notification) ClaimExecutions for N, Restore
//     each one from its Snapshot and Definition, re-arm its Timers and
//     re-dispatch its Tasks (at-least-once); poll DueTimers for N.
//  4. Serve GetActivityTask with ClaimActivityTask, waking pollers on
//     ActivityTaskQueued; SendTask* find their task with TaskByToken and,
//     like StopExecution, PostRequest it when another node owns the
//     execution (the store notifies ExecutionReady).
//  5. On ExecutionReady (and when polling), read Requests for N, apply each
//     to its execution and Commit the result with the requests' ids in
//     DeleteRequests; a request the execution can no longer use (a token of
//     a task that is over) is deleted the same way. Requests of claimed
//     executions are read after the claim, so none is lost when a lease
//     moves.
//  6. At shutdown, ReleaseLeases(N), then Close.
//
// # Conventions
//
//   - Times are stored with millisecond precision and read back in UTC; the
//     zero time.Time means "not set".
//   - Text (definitions, inputs, outputs, JSON configuration) is kept byte
//     for byte; *string fields distinguish absent (nil) from empty.
//   - Lists return a Page; NextToken is opaque, 1 to 1024 characters, stable
//     across writes, and empty on the last page. MaxResults is 1 to 1000; 0
//     means DefaultMaxResults.
//   - List methods do not check that the parent they filter on exists; callers
//     that must report a missing parent check it first.
//   - Methods return errors wrapping the sentinels below; test them with
//     errors.Is.
package store
