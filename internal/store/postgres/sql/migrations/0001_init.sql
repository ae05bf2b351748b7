-- stepd schema, version 1 (PostgreSQL).
--
-- Times are bigint milliseconds since the Unix epoch, UTC; NULL means "not
-- set", except in columns used to sort, which hold the zero time's
-- milliseconds (-62135596800000) instead. Text is stored exactly as given,
-- with the "C" collation: lists sort ARNs by bytes, as the other stores do.

CREATE TABLE state_machines (
    arn                   text COLLATE "C" PRIMARY KEY,
    name                  text COLLATE "C" NOT NULL,
    type                  text   NOT NULL,
    definition            text   NOT NULL,
    role_arn              text   NOT NULL,
    logging_configuration text   NOT NULL,
    tracing_configuration text   NOT NULL,
    status                text   NOT NULL,
    creation_date         bigint,
    update_date           bigint,
    revision_id           text   NOT NULL,
    description           text   NOT NULL,
    label                 text   NOT NULL,
    -- the last version number handed out; numbers are never reused
    version_seq           bigint NOT NULL DEFAULT 0
);

CREATE TABLE versions (
    arn                   text COLLATE "C" PRIMARY KEY,
    state_machine_arn     text COLLATE "C" NOT NULL,
    number                bigint NOT NULL,
    definition            text   NOT NULL,
    role_arn              text   NOT NULL,
    logging_configuration text   NOT NULL,
    tracing_configuration text   NOT NULL,
    revision_id           text   NOT NULL,
    description           text   NOT NULL,
    creation_date         bigint
);
CREATE UNIQUE INDEX versions_by_machine ON versions (state_machine_arn, number);

CREATE TABLE aliases (
    arn               text COLLATE "C" PRIMARY KEY,
    state_machine_arn text COLLATE "C" NOT NULL,
    name              text COLLATE "C" NOT NULL,
    description       text   NOT NULL,
    routing           text   NOT NULL,
    creation_date     bigint NOT NULL, -- a sort key: never NULL
    update_date       bigint
);
CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, creation_date, arn);

-- The versions each alias routes to (from its routing JSON), so that a
-- routed version cannot be deleted.
CREATE TABLE alias_routes (
    alias_arn   text COLLATE "C" NOT NULL,
    version_arn text COLLATE "C" NOT NULL,
    PRIMARY KEY (alias_arn, version_arn)
);
CREATE INDEX alias_routes_by_version ON alias_routes (version_arn);

CREATE TABLE activities (
    arn           text COLLATE "C" PRIMARY KEY,
    name          text COLLATE "C" NOT NULL,
    creation_date bigint
);

CREATE TABLE tags (
    resource_arn text COLLATE "C" NOT NULL,
    key          text COLLATE "C" NOT NULL,
    value        text NOT NULL,
    PRIMARY KEY (resource_arn, key)
);

-- Definitions that executions run, stored once per distinct text.
CREATE TABLE definitions (
    hash text COLLATE "C" PRIMARY KEY, -- hex SHA-256 of text
    text text NOT NULL
);

CREATE TABLE executions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    arn               text COLLATE "C" NOT NULL UNIQUE,
    state_machine_arn text COLLATE "C" NOT NULL,
    name              text COLLATE "C" NOT NULL,
    type              text   NOT NULL,
    status            text   NOT NULL,
    input             text   NOT NULL,
    output            text,
    error             text,
    cause             text,
    start_date        bigint NOT NULL,
    stop_date         bigint,
    definition_hash   text COLLATE "C" NOT NULL,
    version_arn       text COLLATE "C" NOT NULL,
    alias_arn         text COLLATE "C" NOT NULL,
    trace_header      text   NOT NULL,
    map_run_arn       text COLLATE "C" NOT NULL,
    redrive_count     bigint NOT NULL,
    redrive_date      bigint,
    event_count       bigint NOT NULL,
    snapshot          bytea,
    lease_owner       text COLLATE "C" NOT NULL,
    lease_expiry      bigint
);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_date, arn);
CREATE INDEX executions_by_machine_status ON executions (state_machine_arn, status, start_date, arn);
CREATE INDEX executions_by_version ON executions (version_arn, start_date, arn) WHERE version_arn <> '';
CREATE INDEX executions_by_alias ON executions (alias_arn, start_date, arn) WHERE alias_arn <> '';
CREATE INDEX executions_by_map_run ON executions (map_run_arn, start_date, arn) WHERE map_run_arn <> '';
CREATE INDEX executions_running ON executions (start_date, arn) WHERE status = 'RUNNING';
CREATE INDEX executions_by_lease ON executions (lease_owner) WHERE lease_owner <> '';

CREATE TABLE events (
    exec_id           bigint NOT NULL,
    id                bigint NOT NULL,
    type              text   NOT NULL,
    timestamp         bigint NOT NULL,
    previous_event_id bigint NOT NULL,
    body              text   NOT NULL, -- the event as GetExecutionHistory returns it
    PRIMARY KEY (exec_id, id)
);

CREATE TABLE timers (
    exec_id bigint NOT NULL,
    id      text COLLATE "C" NOT NULL,
    due     bigint NOT NULL,
    PRIMARY KEY (exec_id, id)
);
CREATE INDEX timers_by_due ON timers (due);

CREATE TABLE tasks (
    exec_id           bigint NOT NULL,
    id                text COLLATE "C" NOT NULL,
    token             text COLLATE "C" NOT NULL,
    activity_arn      text COLLATE "C" NOT NULL,
    state             text   NOT NULL,
    worker            text   NOT NULL,
    input             text   NOT NULL,
    created           bigint NOT NULL, -- a sort key: never NULL
    started           bigint,
    heartbeat         bigint,
    heartbeat_seconds bigint NOT NULL,
    timeout_seconds   bigint NOT NULL,
    PRIMARY KEY (exec_id, id)
);
CREATE UNIQUE INDEX tasks_by_token ON tasks (token) WHERE token <> '';
CREATE INDEX tasks_queued ON tasks (activity_arn, created) WHERE state = 'queued' AND activity_arn <> '';
