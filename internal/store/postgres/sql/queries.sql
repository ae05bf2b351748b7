-- Queries of the PostgreSQL store (pgx, extended protocol: $1, $2, ...).
-- Times are milliseconds since the epoch. Names are referenced from the Go
-- code. Statements that take arrays (unnest) write a whole batch at once.
-- The queries both stores run word for word are in
-- internal/store/internal/sqlcore/sql/queries.sql.

-- Migrations bookkeeping (Open).
-- name: MigrationLock
SELECT pg_advisory_xact_lock(hashtext('stepd migrations ' || $1))

-- name: CreateMigrationsTable
CREATE TABLE IF NOT EXISTS stepd_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)

-- name: ListStateMachines
SELECT arn, name, type, '', role_arn, logging_configuration, tracing_configuration, status,
    creation_date, update_date, revision_id, description, label
FROM state_machines WHERE arn > $1 ORDER BY arn LIMIT $2

-- PublishVersion: lock the machine, so that its number and copy are taken atomically.
-- name: MachineRevision
SELECT revision_id FROM state_machines WHERE arn = $1 FOR UPDATE

-- name: ListVersions
SELECT arn, state_machine_arn, number, definition, role_arn, logging_configuration, tracing_configuration,
    revision_id, description, creation_date
FROM versions WHERE state_machine_arn = $1 AND number < $2 ORDER BY number DESC LIMIT $3

-- DeleteVersion: lock the version first, so that an alias being put waits or is seen.
-- name: LockVersion
SELECT 1 FROM versions WHERE arn = $1 FOR UPDATE

-- name: MachineExists
SELECT 1 FROM state_machines WHERE arn = $1 FOR SHARE

-- PutAlias: a routed version stays until the alias is written.
-- name: VersionMachine
SELECT state_machine_arn FROM versions WHERE arn = $1 FOR SHARE

-- name: Taggable
SELECT 1 FROM state_machines WHERE arn = $1 UNION ALL SELECT 1 FROM activities WHERE arn = $1 LIMIT 1

-- name: PutTags
INSERT INTO tags (resource_arn, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t(k, v)
ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value

-- name: DeleteTagKeys
DELETE FROM tags WHERE resource_arn = $1 AND key = ANY($2::text[])

-- name: GetExecution
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry,
    e.input, e.output, e.error, e.cause,
    CASE WHEN $2::boolean THEN e.snapshot END,
    CASE WHEN $3::boolean THEN (SELECT d.text FROM definitions d WHERE d.hash = e.definition_hash) END
FROM executions e
WHERE e.arn = $1

-- name: LockExecution
SELECT id FROM executions WHERE arn = $1 FOR UPDATE

-- Commit: replaces the execution fields if the event count and lease allow it.
-- $11 is true for a terminal status (release the lease); $12 is the committing owner.
-- name: UpdateExecution
UPDATE executions SET status = $2, output = $3, error = $4, cause = $5, stop_date = $6, redrive_count = $7,
    redrive_date = $8, snapshot = $9, event_count = $10,
    lease_owner = CASE WHEN $11::boolean THEN '' WHEN lease_owner = '' AND $12::text <> '' AND $2 = 'RUNNING' THEN $12 ELSE lease_owner END,
    lease_expiry = CASE WHEN $11::boolean THEN NULL WHEN lease_owner = '' AND $12::text <> '' AND $2 = 'RUNNING' THEN $13 ELSE lease_expiry END
WHERE arn = $1 AND event_count = $14 AND ($12::text = '' OR lease_owner = '' OR lease_owner = $12)
RETURNING id

-- name: ExecutionState
SELECT event_count, lease_owner FROM executions WHERE arn = $1

-- Commit: the events of a whole batch.
-- name: InsertEvents
INSERT INTO events (exec_id, id, type, timestamp, previous_event_id, body)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[])

-- name: DeleteTimerIDs
DELETE FROM timers t USING unnest($1::bigint[], $2::text[]) AS d(exec_id, id)
WHERE t.exec_id = d.exec_id AND t.id = d.id

-- name: InsertTimers
INSERT INTO timers (exec_id, id, due) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])

-- name: DeleteTimersOf
DELETE FROM timers WHERE exec_id = ANY($1::bigint[])

-- name: DeleteTaskIDs
DELETE FROM tasks t USING unnest($1::bigint[], $2::text[]) AS d(exec_id, id)
WHERE t.exec_id = d.exec_id AND t.id = d.id

-- name: InsertTasks
INSERT INTO tasks (exec_id, id, token, activity_arn, state, worker, input, created, started, heartbeat,
    heartbeat_seconds, timeout_seconds)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[])

-- name: DeleteTasksOf
DELETE FROM tasks WHERE exec_id = ANY($1::bigint[])

-- name: DeleteRequestIDs
DELETE FROM requests r USING unnest($1::bigint[], $2::bigint[]) AS d(exec_id, id)
WHERE r.exec_id = d.exec_id AND r.id = d.id

-- name: DeleteRequestsOf
DELETE FROM requests WHERE exec_id = ANY($1::bigint[])

-- PostRequest: the execution's id and status, its row locked FOR SHARE until
-- the request is in, so that a Commit that ends the execution (and deletes
-- its requests) runs wholly before or wholly after the post.
-- name: ExecutionStatus
SELECT id, status FROM executions WHERE arn = $1 FOR SHARE

-- name: InsertRequest
INSERT INTO requests (exec_id, kind, task_token, output, error, cause, created)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id

-- Requests: those of the executions $1 leases ('': of every execution); a
-- limit $2 of 0 returns them all (LIMIT NULL).
-- name: RequestsOfNode
SELECT e.arn, r.id, r.kind, r.task_token, r.output, r.error, r.cause, r.created
FROM requests r JOIN executions e ON e.id = r.exec_id
WHERE ($1::text = '' OR e.lease_owner = $1)
ORDER BY r.id LIMIT nullif($2::bigint, 0)

-- name: RequestsOfExecution
SELECT e.arn, r.id, r.kind, r.task_token, r.output, r.error, r.cause, r.created
FROM executions e JOIN requests r ON r.exec_id = e.id
WHERE e.arn = $1
ORDER BY r.id LIMIT nullif($2::bigint, 0)

-- name: Notify
SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p

-- ClaimExecutions: concurrent claims skip each other's rows.
-- name: ClaimExecutions
WITH c AS (
    SELECT id FROM executions
    WHERE status = 'RUNNING' AND (lease_owner = '' OR lease_expiry <= $3)
    ORDER BY start_date, arn LIMIT $4
    FOR UPDATE SKIP LOCKED
), e AS (
    UPDATE executions x SET lease_owner = $1, lease_expiry = $2 FROM c WHERE x.id = c.id RETURNING x.*
)
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry, e.input, e.output, e.error, e.cause, e.snapshot, d.text
FROM e LEFT JOIN definitions d ON d.hash = e.definition_hash
ORDER BY e.start_date, e.arn

-- name: ReleaseLeases
UPDATE executions SET lease_owner = '', lease_expiry = NULL WHERE lease_owner = $1 AND $1 <> ''

-- name: DueTimers
SELECT e.arn, t.id, t.due FROM timers t JOIN executions e ON e.id = t.exec_id
WHERE t.due <= $1 AND e.status = 'RUNNING' AND ($2::text = '' OR e.lease_owner = $2)
ORDER BY t.due, e.arn, t.id LIMIT $3

-- name: TaskByToken
SELECT e.arn, t.id, t.token, t.activity_arn, t.state, t.worker, t.input, t.created, t.started, t.heartbeat, t.heartbeat_seconds, t.timeout_seconds
FROM tasks t JOIN executions e ON e.id = t.exec_id
WHERE t.token = $1 AND t.token <> ''

-- ClaimActivityTask: concurrent workers skip each other's task.
-- name: ClaimActivityTask
WITH c AS (
    SELECT t.exec_id, t.id FROM tasks t JOIN executions e ON e.id = t.exec_id
    WHERE t.activity_arn = $1 AND t.activity_arn <> '' AND t.state = 'queued'
    ORDER BY t.created, e.arn, t.id LIMIT 1
    FOR UPDATE OF t SKIP LOCKED
)
UPDATE tasks t SET state = 'started', worker = $2, started = $3
FROM c JOIN executions e ON e.id = c.exec_id
WHERE t.exec_id = c.exec_id AND t.id = c.id
RETURNING e.arn, t.id, t.token, t.activity_arn, t.state, t.worker, t.input, t.created, t.started, t.heartbeat, t.heartbeat_seconds, t.timeout_seconds

-- name: HeartbeatTask
UPDATE tasks t SET heartbeat = $2 FROM executions e
WHERE t.token = $1 AND t.token <> '' AND e.id = t.exec_id
RETURNING e.arn, t.id, t.token, t.activity_arn, t.state, t.worker, t.input, t.created, t.started, t.heartbeat, t.heartbeat_seconds, t.timeout_seconds

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
