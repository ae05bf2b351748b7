-- stepd schema, version 1 (SQLite).
--
-- Times are INTEGER milliseconds since the Unix epoch, UTC; NULL means
-- "not set", except in columns used to sort, which hold the zero time's
-- milliseconds (-62135596800000) instead. Text is stored exactly as given. ARNs compare with SQLite's
-- BINARY collation (byte order), which is the order lists use.

CREATE TABLE state_machines (
    arn                   TEXT    PRIMARY KEY,
    name                  TEXT    NOT NULL,
    type                  TEXT    NOT NULL,
    definition            TEXT    NOT NULL,
    role_arn              TEXT    NOT NULL,
    logging_configuration TEXT    NOT NULL,
    tracing_configuration TEXT    NOT NULL,
    status                TEXT    NOT NULL,
    creation_date         INTEGER,
    update_date           INTEGER,
    revision_id           TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    label                 TEXT    NOT NULL,
    -- the last version number handed out; numbers are never reused
    version_seq           INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE versions (
    arn                   TEXT    PRIMARY KEY,
    state_machine_arn     TEXT    NOT NULL,
    number                INTEGER NOT NULL,
    definition            TEXT    NOT NULL,
    role_arn              TEXT    NOT NULL,
    logging_configuration TEXT    NOT NULL,
    tracing_configuration TEXT    NOT NULL,
    revision_id           TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    creation_date         INTEGER
) WITHOUT ROWID;
CREATE UNIQUE INDEX versions_by_machine ON versions (state_machine_arn, number);

CREATE TABLE aliases (
    arn               TEXT PRIMARY KEY,
    state_machine_arn TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT NOT NULL,
    routing           TEXT NOT NULL,
    creation_date     INTEGER NOT NULL, -- a sort key: never NULL
    update_date       INTEGER
) WITHOUT ROWID;
CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, creation_date, arn);

-- The versions each alias routes to (from its routing JSON), so that a
-- routed version cannot be deleted.
CREATE TABLE alias_routes (
    alias_arn   TEXT NOT NULL,
    version_arn TEXT NOT NULL,
    PRIMARY KEY (alias_arn, version_arn)
) WITHOUT ROWID;
CREATE INDEX alias_routes_by_version ON alias_routes (version_arn);

CREATE TABLE activities (
    arn           TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    creation_date INTEGER
) WITHOUT ROWID;

CREATE TABLE tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
) WITHOUT ROWID;

-- Definitions that executions run, stored once per distinct text.
CREATE TABLE definitions (
    hash TEXT PRIMARY KEY, -- hex SHA-256 of text
    text TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE executions (
    id                INTEGER PRIMARY KEY,
    arn               TEXT    NOT NULL UNIQUE,
    state_machine_arn TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    type              TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    input             TEXT    NOT NULL,
    output            TEXT,
    error             TEXT,
    cause             TEXT,
    start_date        INTEGER NOT NULL,
    stop_date         INTEGER,
    definition_hash   TEXT    NOT NULL,
    version_arn       TEXT    NOT NULL,
    alias_arn         TEXT    NOT NULL,
    trace_header      TEXT    NOT NULL,
    map_run_arn       TEXT    NOT NULL,
    redrive_count     INTEGER NOT NULL,
    redrive_date      INTEGER,
    event_count       INTEGER NOT NULL,
    snapshot          BLOB,
    lease_owner       TEXT    NOT NULL,
    lease_expiry      INTEGER
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date, arn);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, start_date, arn);
CREATE INDEX executions_by_version ON executions (version_arn, start_date, arn) WHERE version_arn <> '';
CREATE INDEX executions_by_alias ON executions (alias_arn, start_date, arn) WHERE alias_arn <> '';
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date, arn) WHERE map_run_arn <> '';
CREATE INDEX executions_running ON executions (start_date, arn) WHERE status = 'RUNNING';
CREATE INDEX executions_by_lease ON executions (lease_owner) WHERE lease_owner <> '';

-- Events are appended in commit order (rowid), so that a batch of
-- transitions of many executions writes few pages; the index finds an
-- execution's events. (Keyed by (exec_id, id) instead, each transition
-- would dirty its own leaf page: 2.4x slower commits, measured.)
CREATE TABLE events (
    exec_id           INTEGER NOT NULL,
    id                INTEGER NOT NULL,
    type              TEXT    NOT NULL,
    timestamp         INTEGER NOT NULL,
    previous_event_id INTEGER NOT NULL,
    body              TEXT    NOT NULL -- the event as GetExecutionHistory returns it
);
CREATE UNIQUE INDEX events_by_execution ON events (exec_id, id);

CREATE TABLE timers (
    exec_id INTEGER NOT NULL,
    id      TEXT    NOT NULL,
    due     INTEGER NOT NULL,
    PRIMARY KEY (exec_id, id)
) WITHOUT ROWID;
CREATE INDEX timers_by_due ON timers (due);

CREATE TABLE tasks (
    exec_id           INTEGER NOT NULL,
    id                TEXT    NOT NULL,
    token             TEXT    NOT NULL,
    activity_arn      TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    worker            TEXT    NOT NULL,
    input             TEXT    NOT NULL,
    created           INTEGER NOT NULL, -- a sort key: never NULL
    started           INTEGER,
    heartbeat         INTEGER,
    heartbeat_seconds INTEGER NOT NULL,
    timeout_seconds   INTEGER NOT NULL,
    PRIMARY KEY (exec_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX tasks_by_token ON tasks (token) WHERE token <> '';
CREATE INDEX tasks_queued ON tasks (activity_arn, created) WHERE state = 'queued' AND activity_arn <> '';
