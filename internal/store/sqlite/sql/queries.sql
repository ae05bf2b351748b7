-- Queries of the SQLite store. Placeholders are $1, $2, ... (modernc.org/sqlite
-- binds them by number; a number used twice binds the same value). Times are
-- milliseconds since the epoch. Names are referenced from the Go code.
-- The queries both stores run word for word are in
-- internal/store/internal/sqlcore/sql/queries.sql.

-- Migrations bookkeeping (Open).
-- name: CreateMigrationsTable
CREATE TABLE IF NOT EXISTS stepd_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)

-- name: ListStateMachines
SELECT arn, name, type, '', role_arn, logging_configuration, tracing_configuration, status,
    creation_date, update_date, revision_id, description, label
FROM state_machines WHERE arn > $1 ORDER BY arn LIMIT $2

-- name: MachineRevision
SELECT revision_id FROM state_machines WHERE arn = $1

-- name: ListVersions
SELECT arn, state_machine_arn, number, definition, role_arn, logging_configuration, tracing_configuration,
    revision_id, description, creation_date
FROM versions WHERE state_machine_arn = $1 AND number < $2 ORDER BY number DESC LIMIT $3

-- DeleteVersion: the write transaction holds the database's lock, so that an
-- alias being put waits or is seen.
-- name: LockVersion
SELECT 1 FROM versions WHERE arn = $1

-- name: MachineExists
SELECT 1 FROM state_machines WHERE arn = $1

-- name: VersionMachine
SELECT state_machine_arn FROM versions WHERE arn = $1

-- name: Taggable
SELECT 1 FROM state_machines WHERE arn = $1 UNION ALL SELECT 1 FROM activities WHERE arn = $1

-- name: PutTag
INSERT INTO tags (resource_arn, key, value) VALUES ($1, $2, $3)
ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value

-- name: DeleteTag
DELETE FROM tags WHERE resource_arn = $1 AND key = $2

-- name: GetExecution
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn,
    e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry,
    e.input, e.output, e.error, e.cause,
    CASE WHEN $2 THEN e.snapshot END, CASE WHEN $3 THEN d.text END
FROM executions e LEFT JOIN definitions d ON d.hash = e.definition_hash
WHERE e.arn = $1

-- Commit: replaces the execution fields if the event count and lease allow it.
-- $11 is true for a terminal status (release the lease); $12 is the committing owner.
-- name: UpdateExecution
UPDATE executions SET status = $2, output = $3, error = $4, cause = $5, stop_date = $6, redrive_count = $7,
    redrive_date = $8, snapshot = $9, event_count = $10,
    lease_owner = CASE WHEN $11 THEN '' WHEN lease_owner = '' AND $12 <> '' AND $2 = 'RUNNING' THEN $12 ELSE lease_owner END,
    lease_expiry = CASE WHEN $11 THEN NULL WHEN lease_owner = '' AND $12 <> '' AND $2 = 'RUNNING' THEN $13 ELSE lease_expiry END
WHERE arn = $1 AND event_count = $14 AND ($12 = '' OR lease_owner = '' OR lease_owner = $12)
RETURNING id

-- name: ExecutionState
SELECT event_count, lease_owner FROM executions WHERE arn = $1

-- name: InsertEvent
INSERT INTO events (exec_id, id, type, timestamp, previous_event_id, body) VALUES ($1, $2, $3, $4, $5, $6)

-- name: DeleteTimer
DELETE FROM timers WHERE exec_id = $1 AND id = $2

-- name: InsertTimer
INSERT INTO timers (exec_id, id, due) VALUES ($1, $2, $3)

-- name: DeleteTimers
DELETE FROM timers WHERE exec_id = $1

-- name: DeleteTask
DELETE FROM tasks WHERE exec_id = $1 AND id = $2

-- name: InsertTask
INSERT INTO tasks (exec_id, id, token, activity_arn, state, worker, input, created, started, heartbeat,
    heartbeat_seconds, timeout_seconds)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)

-- name: DeleteTasks
DELETE FROM tasks WHERE exec_id = $1

-- name: DeleteRequest
DELETE FROM requests WHERE exec_id = $1 AND id = $2

-- name: DeleteRequests
DELETE FROM requests WHERE exec_id = $1

-- PostRequest: the execution's id and status, read in the write transaction.
-- name: ExecutionStatus
SELECT id, status FROM executions WHERE arn = $1

-- name: InsertRequest
INSERT INTO requests (exec_id, kind, task_token, output, error, cause, created)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id

-- Requests: those of the executions $1 leases ('': of every execution); a
-- limit $2 of 0 returns them all (LIMIT -1: no limit).
-- name: RequestsOfNode
SELECT e.arn, r.id, r.kind, r.task_token, r.output, r.error, r.cause, r.created
FROM requests r CROSS JOIN executions e ON e.id = r.exec_id
WHERE ($1 = '' OR e.lease_owner = $1)
ORDER BY r.id LIMIT CASE WHEN $2 > 0 THEN $2 ELSE -1 END

-- name: RequestsOfExecution
SELECT e.arn, r.id, r.kind, r.task_token, r.output, r.error, r.cause, r.created
FROM executions e JOIN requests r ON r.exec_id = e.id
WHERE e.arn = $1
ORDER BY r.id LIMIT CASE WHEN $2 > 0 THEN $2 ELSE -1 END

-- ClaimExecutions: the claimable executions, oldest first (the writer's
-- transaction keeps others from claiming them meanwhile).
-- name: Claimable
SELECT e.id, e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry, e.input, e.output, e.error, e.cause, e.snapshot, d.text
FROM executions e LEFT JOIN definitions d ON d.hash = e.definition_hash
WHERE e.status = 'RUNNING' AND (e.lease_owner = '' OR e.lease_expiry <= $1)
ORDER BY e.start_date, e.arn LIMIT $2

-- name: SetLease
UPDATE executions SET lease_owner = $2, lease_expiry = $3 WHERE id = $1

-- name: ReleaseLeases
UPDATE executions SET lease_owner = '', lease_expiry = NULL WHERE lease_owner = $1

-- name: DueTimers
SELECT e.arn, t.id, t.due FROM timers t CROSS JOIN executions e ON e.id = t.exec_id
WHERE t.due <= $1 AND e.status = 'RUNNING' AND ($2 = '' OR e.lease_owner = $2)
ORDER BY t.due, e.arn, t.id LIMIT $3

-- name: TaskByToken
SELECT e.arn, t.id, t.token, t.activity_arn, t.state, t.worker, t.input, t.created, t.started, t.heartbeat, t.heartbeat_seconds, t.timeout_seconds
FROM tasks t JOIN executions e ON e.id = t.exec_id
WHERE t.token = $1 AND t.token <> ''

-- name: OldestQueuedTask
SELECT t.exec_id, t.id FROM tasks t CROSS JOIN executions e ON e.id = t.exec_id
WHERE t.activity_arn = $1 AND t.activity_arn <> '' AND t.state = 'queued'
ORDER BY t.created, e.arn, t.id LIMIT 1

-- name: StartTask
UPDATE tasks SET state = 'started', worker = $3, started = $4 WHERE exec_id = $1 AND id = $2

-- name: TaskByKey
SELECT e.arn, t.id, t.token, t.activity_arn, t.state, t.worker, t.input, t.created, t.started, t.heartbeat, t.heartbeat_seconds, t.timeout_seconds
FROM tasks t JOIN executions e ON e.id = t.exec_id
WHERE t.exec_id = $1 AND t.id = $2

-- name: HeartbeatTask
UPDATE tasks SET heartbeat = $2 WHERE token = $1 AND token <> ''

-- Check: rows whose owner is gone.
-- name: CheckOrphans
SELECT 'event' FROM events WHERE exec_id NOT IN (SELECT id FROM executions)
UNION ALL SELECT 'timer' FROM timers WHERE exec_id NOT IN (SELECT id FROM executions)
UNION ALL SELECT 'task' FROM tasks WHERE exec_id NOT IN (SELECT id FROM executions)
UNION ALL SELECT 'request' FROM requests WHERE exec_id NOT IN (SELECT id FROM executions)
UNION ALL SELECT 'version' FROM versions WHERE state_machine_arn NOT IN (SELECT arn FROM state_machines)
UNION ALL SELECT 'alias' FROM aliases WHERE state_machine_arn NOT IN (SELECT arn FROM state_machines)
UNION ALL SELECT 'route' FROM alias_routes WHERE alias_arn NOT IN (SELECT arn FROM aliases)
    OR version_arn NOT IN (SELECT arn FROM versions)
UNION ALL SELECT 'tag' FROM tags WHERE resource_arn NOT IN (SELECT arn FROM state_machines UNION ALL SELECT arn FROM activities)
UNION ALL SELECT 'definition' FROM executions WHERE definition_hash NOT IN (SELECT hash FROM definitions)
LIMIT 1

-- Check: SQLite's own consistency check ("ok").
-- name: IntegrityCheck
PRAGMA integrity_check
