-- Queries both SQL stores run word for word (sqlcore.LoadQueries merges
-- them with each store's own sql/queries.sql; a name may be in only one).
-- Placeholders are $1, $2, ...; times are milliseconds since the epoch.

-- name: SchemaVersion
SELECT coalesce(max(version), 0) FROM stepd_migrations

-- name: RecordMigration
INSERT INTO stepd_migrations (version, name, applied_at) VALUES ($1, $2, $3)

-- name: CreateStateMachine
INSERT INTO state_machines (arn, name, type, definition, role_arn, logging_configuration, tracing_configuration,
    status, creation_date, update_date, revision_id, description, label)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (arn) DO NOTHING

-- name: GetStateMachine
SELECT arn, name, type, definition, role_arn, logging_configuration, tracing_configuration, status,
    creation_date, update_date, revision_id, description, label
FROM state_machines WHERE arn = $1

-- name: UpdateStateMachine
UPDATE state_machines SET definition = $2, role_arn = $3, logging_configuration = $4, tracing_configuration = $5,
    description = $6, status = CASE WHEN status = 'DELETING' THEN status ELSE $7 END, revision_id = $8, update_date = $9
WHERE arn = $1

-- name: DeleteStateMachine
DELETE FROM state_machines WHERE arn = $1

-- name: DeleteMachineVersions
DELETE FROM versions WHERE state_machine_arn = $1

-- name: DeleteMachineAliasRoutes
DELETE FROM alias_routes WHERE alias_arn IN (SELECT arn FROM aliases WHERE state_machine_arn = $1)

-- name: DeleteMachineAliases
DELETE FROM aliases WHERE state_machine_arn = $1

-- name: NextVersionNumber
UPDATE state_machines SET version_seq = version_seq + 1 WHERE arn = $1
RETURNING version_seq, definition, role_arn, logging_configuration, tracing_configuration, revision_id

-- name: InsertVersion
INSERT INTO versions (arn, state_machine_arn, number, definition, role_arn, logging_configuration,
    tracing_configuration, revision_id, description, creation_date)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)

-- name: GetVersion
SELECT arn, state_machine_arn, number, definition, role_arn, logging_configuration, tracing_configuration,
    revision_id, description, creation_date
FROM versions WHERE arn = $1

-- name: VersionRoutedBy
SELECT alias_arn FROM alias_routes WHERE version_arn = $1 LIMIT 1

-- name: DeleteVersion
DELETE FROM versions WHERE arn = $1

-- name: UpsertAlias
INSERT INTO aliases (arn, state_machine_arn, name, description, routing, creation_date, update_date)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (arn) DO UPDATE SET description = excluded.description, routing = excluded.routing,
    update_date = excluded.update_date
RETURNING creation_date

-- name: DeleteAliasRoutes
DELETE FROM alias_routes WHERE alias_arn = $1

-- name: InsertAliasRoute
INSERT INTO alias_routes (alias_arn, version_arn) VALUES ($1, $2) ON CONFLICT DO NOTHING

-- name: GetAlias
SELECT arn, state_machine_arn, name, description, routing, creation_date, update_date
FROM aliases WHERE arn = $1

-- name: ListAliases
SELECT arn, state_machine_arn, name, description, routing, creation_date, update_date
FROM aliases WHERE state_machine_arn = $1 AND (creation_date, arn) < ($2, $3)
ORDER BY creation_date DESC, arn DESC LIMIT $4

-- name: DeleteAlias
DELETE FROM aliases WHERE arn = $1

-- name: CreateActivity
INSERT INTO activities (arn, name, creation_date) VALUES ($1, $2, $3) ON CONFLICT (arn) DO NOTHING

-- name: GetActivity
SELECT arn, name, creation_date FROM activities WHERE arn = $1

-- name: ListActivities
SELECT arn, name, creation_date FROM activities WHERE arn > $1 ORDER BY arn LIMIT $2

-- name: DeleteActivity
DELETE FROM activities WHERE arn = $1

-- name: DeleteTags
DELETE FROM tags WHERE resource_arn = $1

-- name: ListTags
SELECT key, value FROM tags WHERE resource_arn = $1 ORDER BY key

-- name: InsertDefinition
INSERT INTO definitions (hash, text) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING

-- name: InsertExecution
INSERT INTO executions (arn, state_machine_arn, name, type, status, input, output, error, cause, start_date,
    stop_date, definition_hash, version_arn, alias_arn, trace_header, map_run_arn, redrive_count, redrive_date,
    event_count, snapshot, lease_owner, lease_expiry)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
ON CONFLICT (arn) DO NOTHING
RETURNING id

-- name: ListExecutionsByStateMachine
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.state_machine_arn = $1 AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByStateMachineStatus
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.state_machine_arn = $1 AND e.status = $5 AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByVersion
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.version_arn = $1 AND e.version_arn <> '' AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByVersionStatus
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.version_arn = $1 AND e.version_arn <> '' AND e.status = $5 AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByAlias
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.alias_arn = $1 AND e.alias_arn <> '' AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByAliasStatus
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.alias_arn = $1 AND e.alias_arn <> '' AND e.status = $5 AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByMapRun
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.map_run_arn = $1 AND e.map_run_arn <> '' AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ListExecutionsByMapRunStatus
SELECT e.arn, e.state_machine_arn, e.name, e.type, e.status, e.start_date, e.stop_date, e.version_arn, e.alias_arn, e.trace_header, e.map_run_arn, e.redrive_count, e.redrive_date, e.event_count, e.lease_owner, e.lease_expiry
FROM executions e
WHERE e.map_run_arn = $1 AND e.map_run_arn <> '' AND e.status = $5 AND (e.start_date, e.arn) < ($2, $3)
ORDER BY e.start_date DESC, e.arn DESC LIMIT $4

-- name: ExecutionID
SELECT id FROM executions WHERE arn = $1

-- name: DeleteExecution
DELETE FROM executions WHERE id = $1

-- name: DeleteExecutionEvents
DELETE FROM events WHERE exec_id = $1

-- name: HistoryForward
SELECT ev.body FROM executions e JOIN events ev ON ev.exec_id = e.id
WHERE e.arn = $1 AND ev.id > $2 ORDER BY ev.id LIMIT $3

-- name: HistoryReverse
SELECT ev.body FROM executions e JOIN events ev ON ev.exec_id = e.id
WHERE e.arn = $1 AND ev.id < $2 ORDER BY ev.id DESC LIMIT $3

-- name: RenewLeases
UPDATE executions SET lease_expiry = $2 WHERE lease_owner = $1 AND status = 'RUNNING'

-- name: ReleaseLease
UPDATE executions SET lease_owner = '', lease_expiry = NULL WHERE arn = $1 AND lease_owner = $2 AND $2 <> ''

-- name: Timers
SELECT e.arn, t.id, t.due FROM executions e JOIN timers t ON t.exec_id = e.id
WHERE e.arn = $1 ORDER BY t.id

-- name: Tasks
SELECT e.arn, t.id, t.token, t.activity_arn, t.state, t.worker, t.input, t.created, t.started, t.heartbeat, t.heartbeat_seconds, t.timeout_seconds
FROM executions e JOIN tasks t ON t.exec_id = e.id
WHERE e.arn = $1 ORDER BY t.id

-- Check: executions whose events are not exactly 1..event_count.
-- name: CheckEventCounts
SELECT e.arn, e.event_count, count(ev.id), coalesce(min(ev.id), 1), coalesce(max(ev.id), 0)
FROM executions e LEFT JOIN events ev ON ev.exec_id = e.id
GROUP BY e.id
HAVING count(ev.id) <> e.event_count OR coalesce(max(ev.id), 0) <> e.event_count OR coalesce(min(ev.id), 1) <> 1
LIMIT 1

-- Check: ended executions that keep a lease, timers, tasks or requests.
-- name: CheckEnded
SELECT e.arn FROM executions e
WHERE e.status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')
  AND (e.lease_owner <> '' OR EXISTS (SELECT 1 FROM timers t WHERE t.exec_id = e.id)
       OR EXISTS (SELECT 1 FROM tasks t WHERE t.exec_id = e.id)
       OR EXISTS (SELECT 1 FROM requests r WHERE r.exec_id = e.id))
LIMIT 1
