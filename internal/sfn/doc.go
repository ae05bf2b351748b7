// Package sfn is the Step Functions service: state machines, their versions
// and aliases, activities, and executions — started, driven durably through
// the engine, recovered after a crash, stopped and described. It implements
// the operations of the AWS Step Functions API on Go values; package api
// puts them on the wire.
//
// Running executions live in memory as engine.Execution values, one per
// execution, owned by this node through a lease in the store. Every
// transition is committed to the store (events, snapshot, timers and tasks
// in one transaction) before its commands run, so a crash loses nothing: at
// start the service claims the running executions, restores them from their
// snapshots, re-arms their timers and dispatches their tasks again.
package sfn
