// Package engine is the Step Functions interpreter. Its core is
// deterministic: an Execution takes one input at a time (start, a task's
// result, a timer that fired, a stop request), each with the current time,
// and returns a Batch: the history events it produced and the commands the
// surrounding driver must carry out. It does no I/O, reads no clock and
// starts no goroutines; randomness comes from a seeded source that is part of
// the execution's state, so a replay of the same inputs gives the same
// history.
//
// # The driver's duties
//
// A driver (the in-process runner of `stepd run`, or the durable runner of
// `stepd serve`) owns each Execution and must, for every call:
//
//  1. Serialise calls: an Execution is not safe for concurrent use.
//  2. Persist the batch's events together with the execution's new snapshot
//     (Snapshot) before acting on any command, so that a crash never loses a
//     transition nor applies one twice.
//  3. Carry out the commands: RunTask (dispatch the task; report back with
//     TaskStarted, TaskSubmitted, TaskSucceeded or TaskFailed), CancelTask
//     (abandon it; later reports for it are ignored), SetTimer (call
//     TimerFired at or after the time given) and CancelTimer.
//  4. After a restart, Restore each running execution and redo the
//     commands of PendingWork: re-arm its timers (firing overdue ones at once)
//     and dispatch its pending tasks again (tasks are at-least-once; the
//     core ignores reports for tasks it no longer waits for).
//  5. To redrive an ended execution (RedriveExecution), Restore it from its
//     last snapshot, call Redrive and handle the batch like any other: the
//     snapshot of an ended execution keeps what Redrive needs.
//
// History events follow AWS's names, detail shapes and previousEventId rules
// (see package history).
package engine
