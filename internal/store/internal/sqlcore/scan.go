package sqlcore

import (
	"encoding/json"

	"stepd/internal/history"
	"stepd/internal/store"
)

// The scanners read the columns the queries of queries.sql and of each
// store's sql/queries.sql select, in the order they select them.

func (db *DB) scanMachine(r Row) (*store.StateMachine, error) {
	var sm store.StateMachine
	var typ, status string
	if err := r.Scan(&sm.ARN, &sm.Name, &typ, &sm.Definition, &sm.RoleARN, &sm.LoggingConfiguration,
		&sm.TracingConfiguration, &status, db.d.Time(&sm.CreationDate), db.d.Time(&sm.UpdateDate), &sm.RevisionID,
		&sm.Description, &sm.Label); err != nil {
		return nil, err
	}
	sm.Type, sm.Status = store.StateMachineType(typ), store.StateMachineStatus(status)
	return &sm, nil
}

func (db *DB) scanVersion(r Row) (*store.Version, error) {
	var v store.Version
	if err := r.Scan(&v.ARN, &v.StateMachineARN, &v.Number, &v.Definition, &v.RoleARN, &v.LoggingConfiguration,
		&v.TracingConfiguration, &v.RevisionID, &v.Description, db.d.Time(&v.CreationDate)); err != nil {
		return nil, err
	}
	return &v, nil
}

func (db *DB) scanAlias(r Row) (*store.Alias, error) {
	var a store.Alias
	if err := r.Scan(&a.ARN, &a.StateMachineARN, &a.Name, &a.Description, &a.Routing, db.d.Time(&a.CreationDate),
		db.d.Time(&a.UpdateDate)); err != nil {
		return nil, err
	}
	return &a, nil
}

func (db *DB) scanActivity(r Row) (*store.Activity, error) {
	var a store.Activity
	if err := r.Scan(&a.ARN, &a.Name, db.d.Time(&a.CreationDate)); err != nil {
		return nil, err
	}
	return &a, nil
}

func scanTag(r Row) (store.Tag, error) {
	var t store.Tag
	err := r.Scan(&t.Key, &t.Value)
	return t, err
}

// ScanExecution scans the execution columns every execution query starts
// with (see queries.sql) and, with heavy, those that GetExecution and the
// claims add: input, output, error, cause, snapshot and definition.
func (db *DB) ScanExecution(r Row, heavy bool) (*store.Execution, error) {
	var e store.Execution
	var typ, status string
	var definition *string
	dest := make([]any, 0, 22)
	dest = append(dest, &e.ARN, &e.StateMachineARN, &e.Name, &typ, &status, db.d.Time(&e.StartDate),
		db.d.Time(&e.StopDate), &e.VersionARN, &e.AliasARN, &e.TraceHeader, &e.MapRunARN, &e.RedriveCount,
		db.d.Time(&e.RedriveDate), &e.EventCount, &e.LeaseOwner, db.d.Time(&e.LeaseExpiry))
	if heavy {
		dest = append(dest, &e.Input, db.d.NullString(&e.Output), db.d.NullString(&e.Error), db.d.NullString(&e.Cause),
			&e.Snapshot, db.d.NullString(&definition))
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	e.Type, e.Status = store.StateMachineType(typ), store.ExecutionStatus(status)
	e.Snapshot = nonEmpty(e.Snapshot)
	if definition != nil {
		e.Definition = *definition
	}
	return &e, nil
}

func (db *DB) scanLightExecution(r Row) (*store.Execution, error) { return db.ScanExecution(r, false) }

// ScanHeavyExecution is ScanExecution with heavy, for Collect.
func (db *DB) ScanHeavyExecution(r Row) (*store.Execution, error) { return db.ScanExecution(r, true) }

func scanEvent(r Row) (history.Event, error) {
	var body []byte
	var ev history.Event
	if err := r.Scan(&body); err != nil {
		return ev, err
	}
	err := json.Unmarshal(body, &ev)
	return ev, err
}

func (db *DB) scanTimer(r Row) (store.Timer, error) {
	var t store.Timer
	err := r.Scan(&t.ExecutionARN, &t.ID, db.d.Time(&t.Due))
	return t, err
}

// ScanTask scans the task columns of the task queries (see queries.sql).
func (db *DB) ScanTask(r Row) (store.Task, error) {
	var t store.Task
	var state string
	err := r.Scan(&t.ExecutionARN, &t.ID, &t.Token, &t.ActivityARN, &state, &t.Worker, &t.Input, db.d.Time(&t.Created),
		db.d.Time(&t.Started), db.d.Time(&t.Heartbeat), &t.HeartbeatSeconds, &t.TimeoutSeconds)
	t.State = store.TaskState(state)
	return t, err
}

func (db *DB) scanRequest(r Row) (store.Request, error) {
	var q store.Request
	var kind string
	err := r.Scan(&q.ExecutionARN, &q.ID, &kind, &q.TaskToken, db.d.NullString(&q.Output), db.d.NullString(&q.Error),
		db.d.NullString(&q.Cause), db.d.Time(&q.Created))
	q.Kind = store.RequestKind(kind)
	return q, err
}
