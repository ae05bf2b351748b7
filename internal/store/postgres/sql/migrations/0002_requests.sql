-- stepd schema, version 2 (PostgreSQL): the requests inbox.
--
-- A request (a task token's outcome or heartbeat, a stop) waits here for
-- the node that drives its execution, until the commit that applies it, the
-- end of the execution or its deletion removes it. Ids come from an
-- identity sequence: never reused, so a commit that names one cannot delete
-- a later request.

CREATE TABLE requests (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exec_id    bigint NOT NULL,
    kind       text   NOT NULL,
    task_token text COLLATE "C" NOT NULL,
    output     text,
    error      text,
    cause      text,
    created    bigint
);
CREATE INDEX requests_by_execution ON requests (exec_id, id);
