// Package dataflow evaluates the per-state data pipeline of the Amazon States
// Language in both query languages: for JSONPath, InputPath → Parameters →
// (task) → ResultSelector → ResultPath → OutputPath; for JSONata, Arguments
// → (task) → Output; and Assign in both. It works on compiled templates from
// package asl and on jsonv values, and reports failures as *Failure values
// carrying the Step Functions error name and AWS's cause text.
package dataflow
