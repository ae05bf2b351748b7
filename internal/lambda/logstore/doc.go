// Package logstore keeps log events in memory the way CloudWatch Logs
// organises them: log groups (such as /aws/lambda/<function>) hold log
// streams (one per execution environment), which hold timestamped events in
// order. It is what stepd's function runtime writes to and what the
// CloudWatch Logs API and the web console read.
//
// The store is bounded: each stream keeps at most [Options.MaxEventsPerStream]
// events and each group at most [Options.MaxStreamsPerGroup] streams; the
// oldest go first.
package logstore
