package engine

import (
	"encoding/hex"
	"strings"
	"time"

	"stepd/internal/asl"
	"stepd/internal/jsonv"
)

// FormatTime writes a time as Step Functions' context object does: ISO-8601
// in UTC with milliseconds, trailing zero digits of the fraction removed.
func FormatTime(t time.Time) string {
	s := t.UTC().Format("2006-01-02T15:04:05.000")
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	return s + "Z"
}

// contextObject builds $$ for f's current state (developer guide, "Accessing
// execution data from the Context object").
func (x *Execution) contextObject(f *frame) any {
	return x.contextObjectItem(f, f.item)
}

func (x *Execution) contextObjectItem(f *frame, item *mapItem) any {
	exec := jsonv.NewObject(7)
	exec.Set("Id", x.cfg.ExecutionARN)
	exec.Set("Input", x.input)
	exec.Set("StartTime", FormatTime(x.startTime))
	exec.Set("Name", x.cfg.Name)
	exec.Set("RoleArn", x.cfg.RoleARN)
	exec.Set("RedriveCount", x.cfg.RedriveCount)
	if !x.redriveTime.IsZero() {
		exec.Set("RedriveTime", FormatTime(x.redriveTime))
	}
	sm := jsonv.NewObject(2)
	sm.Set("Id", x.cfg.StateMachineARN)
	sm.Set("Name", x.cfg.StateMachineName)
	ctx := jsonv.NewObject(5)
	ctx.Set("Execution", exec)
	ctx.Set("StateMachine", sm)
	if f.state != nil {
		st := jsonv.NewObject(3)
		st.Set("Name", f.state.Name)
		st.Set("EnteredTime", FormatTime(f.enteredAt))
		if f.state.Type == asl.TypeTask {
			st.Set("RetryCount", int64(f.retryCount))
		}
		ctx.Set("State", st)
		if f.token != "" {
			ctx.Set("Task", jsonv.ObjectOf("Token", f.token))
		}
	}
	if item != nil && (f.item == nil || item != f.item) {
		it := jsonv.NewObject(2)
		it.Set("Index", int64(item.index))
		it.Set("Value", item.value)
		ctx.Set("Map", jsonv.ObjectOf("Item", it))
	}
	return ctx
}

// uuid returns a version 4 UUID from the execution's seeded source.
func (x *Execution) uuid() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := x.rng.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
