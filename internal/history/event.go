package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"stepd/internal/jsonv"
)

// Event is one history event. Exactly the detail fields that AWS sends for
// the event's type are set in Details (nil for types without details).
type Event struct {
	ID              int64
	PreviousEventID int64
	Timestamp       time.Time
	Type            Type
	Details         *Details
}

// PayloadDetails accompanies inputs and outputs.
type PayloadDetails struct {
	Truncated bool `json:"truncated"`
}

// NotTruncated is the payload details of every payload stepd records: it
// never truncates.
var NotTruncated = &PayloadDetails{}

// Credentials are a task's credentials.
type Credentials struct {
	RoleArn string `json:"roleArn"`
}

// Details holds the detail fields of every event type; each type uses the
// subset AWS defines for it (API reference, HistoryEvent and the
// *EventDetails shapes). Pointer fields distinguish "absent" from zero.
type Details struct {
	// Execution events.
	RoleArn                string          `json:"roleArn,omitempty"`
	StateMachineAliasArn   string          `json:"stateMachineAliasArn,omitempty"`
	StateMachineVersionArn string          `json:"stateMachineVersionArn,omitempty"`
	RedriveCount           *int64          `json:"redriveCount,omitempty"`
	Name                   string          `json:"name,omitempty"`
	Index                  *int64          `json:"index,omitempty"`
	Length                 *int64          `json:"length,omitempty"`
	Resource               string          `json:"resource,omitempty"`
	ResourceType           string          `json:"resourceType,omitempty"`
	Region                 string          `json:"region,omitempty"`
	Parameters             *string         `json:"parameters,omitempty"`
	Input                  *string         `json:"input,omitempty"`
	InputDetails           *PayloadDetails `json:"inputDetails,omitempty"`
	Output                 *string         `json:"output,omitempty"`
	OutputDetails          *PayloadDetails `json:"outputDetails,omitempty"`
	TimeoutInSeconds       *int64          `json:"timeoutInSeconds,omitempty"`
	HeartbeatInSeconds     *int64          `json:"heartbeatInSeconds,omitempty"`
	TaskCredentials        *Credentials    `json:"taskCredentials,omitempty"`
	WorkerName             string          `json:"workerName,omitempty"`
	MapRunArn              string          `json:"mapRunArn,omitempty"`
	Error                  *string         `json:"error,omitempty"`
	Cause                  *string         `json:"cause,omitempty"`
	Location               string          `json:"location,omitempty"`
	State                  string          `json:"state,omitempty"`
	// AssignedVariables maps each variable a state assigned to its value as
	// JSON text, in assignment order.
	AssignedVariables        *Assigned       `json:"assignedVariables,omitempty"`
	AssignedVariablesDetails *PayloadDetails `json:"assignedVariablesDetails,omitempty"`
}

// Assigned is the assignedVariables map of a StateExited event, in order.
type Assigned struct {
	Names  []string
	Values []string // JSON text
}

// MarshalJSON writes the variables as a JSON object of strings.
func (a *Assigned) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range a.Names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(n)
		v, _ := json.Marshal(a.Values[i])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the variables back, keeping their order.
func (a *Assigned) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("history: assignedVariables is not a JSON object")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return err
		}
		a.Names = append(a.Names, kt.(string))
		a.Values = append(a.Values, v)
	}
	return nil
}

// Str returns a pointer to s, for the optional string fields of Details.
func Str(s string) *string { return &s }

// Int returns a pointer to n, for the optional integer fields of Details.
func Int(n int64) *int64 { return &n }

// AppendEpoch appends t as epoch seconds with millisecond precision, written
// as AWS's Jackson-based services write a double (e.g. 1.716991513184E9).
func AppendEpoch(dst []byte, t time.Time) []byte {
	return jsonv.AppendFloat(dst, float64(t.UnixMilli())/1000)
}

// MarshalJSON writes the event as GetExecutionHistory returns it.
func (e Event) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256)
	b = append(b, `{"timestamp":`...)
	b = AppendEpoch(b, e.Timestamp)
	b = append(b, `,"type":`...)
	b = jsonv.AppendString(b, string(e.Type))
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, e.ID, 10)
	b = append(b, `,"previousEventId":`...)
	b = strconv.AppendInt(b, e.PreviousEventID, 10)
	if key := detailsKey[e.Type]; key != "" {
		d := e.Details
		if d == nil {
			d = &Details{}
		}
		dj, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("history: encode %s details: %w", e.Type, err)
		}
		b = append(b, `,"`...)
		b = append(b, key...)
		b = append(b, `":`...)
		b = append(b, dj...)
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads an event written by MarshalJSON.
func (e *Event) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var ts float64
	if err := json.Unmarshal(raw["timestamp"], &ts); err != nil {
		return fmt.Errorf("history: timestamp: %w", err)
	}
	e.Timestamp = time.UnixMilli(int64(math.Round(ts * 1000))).UTC()
	if err := json.Unmarshal(raw["type"], &e.Type); err != nil {
		return fmt.Errorf("history: type: %w", err)
	}
	if err := json.Unmarshal(raw["id"], &e.ID); err != nil {
		return fmt.Errorf("history: id: %w", err)
	}
	if err := json.Unmarshal(raw["previousEventId"], &e.PreviousEventID); err != nil {
		return fmt.Errorf("history: previousEventId: %w", err)
	}
	e.Details = nil
	if key := detailsKey[e.Type]; key != "" {
		if dj, ok := raw[key]; ok {
			e.Details = &Details{}
			if err := json.Unmarshal(dj, e.Details); err != nil {
				return fmt.Errorf("history: %s: %w", key, err)
			}
		}
	}
	return nil
}
