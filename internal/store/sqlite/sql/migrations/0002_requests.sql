-- stepd schema, version 2 (SQLite): the requests inbox.
--
-- A request (a task token's outcome or heartbeat, a stop) waits here for
-- the node that drives its execution, until the commit that applies it, the
-- end of the execution or its deletion removes it. AUTOINCREMENT keeps ids
-- growing even after the newest requests are deleted: an id is never
-- reused, so a commit that names one cannot delete a later request.

CREATE TABLE requests (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    exec_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    task_token TEXT    NOT NULL,
    output     TEXT,
    error      TEXT,
    cause      TEXT,
    created    INTEGER
);
CREATE INDEX requests_by_execution ON requests (exec_id);
