// Package history defines the execution history events of AWS Step
// Functions: their type names, their detail shapes and field names, and their
// JSON encoding as GetExecutionHistory returns them (epoch-second
// timestamps, one "<camelType>EventDetails" member per event, inputs and
// outputs as JSON strings). It depends only on package jsonv.
package history
