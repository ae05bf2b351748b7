// Package logstore keeps log events the way CloudWatch Logs organises
// them: log groups (such as /aws/lambda/<function>) hold log streams (one
// per execution environment), which hold timestamped events in order. It is
// what stepd's function runtime writes to and what the CloudWatch Logs API
// and the web console read.
//
// The store is bounded: each stream keeps at most [Options.MaxEventsPerStream]
// events and each group at most [Options.MaxStreamsPerGroup] streams; the
// oldest go first.
//
// [New] keeps the store in memory only. [Open] also keeps it in a
// directory, one append-only JSON-lines file per stream, and loads it back
// at the next Open with the same sequence numbers; writes are buffered and
// flushed in the background, so a crash may lose the last moments of logs
// but not what was written before.
package logstore
