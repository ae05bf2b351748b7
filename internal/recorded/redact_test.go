package recorded_test

import (
	"testing"

	"stepd/internal/jsonv"
	"stepd/internal/recorded"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	r := recorded.NewRedactions(`<[A-Za-z_:\-0-9]+>|\bdate\b|^RequestId$|111111111111`)
	tests := []struct {
		name      string
		want, got string
		match     bool
	}{
		{"equal", `"a"`, `"a"`, true},
		{"different", `"a"`, `"b"`, false},
		{"placeholder", `"arn:aws:states:us-east-1:111111111111:execution:<name>"`, `"arn:aws:states:us-east-1:123456789012:execution:x-1"`, true},
		{"placeholder keeps the literal parts", `"arn:aws:states:us-east-1:111111111111:execution:<name>"`, `"arn:aws:lambda:us-east-1:123456789012:function:f"`, false},
		{"literal dots are not wildcards", `"a.b <x>"`, `"aXb 1"`, false},
		{"anchored token", `"RequestId"`, `"f3b6c0aa"`, true},
		{"anchored token inside text", `"a RequestId"`, `"a b"`, false},
		{"word token", `"at date"`, `"at 2026-11-25"`, true},
		{"redacted number", `"<number>"`, `42`, true},
		{"plain string against a number", `"42"`, `42`, false},
		{"object in any order", `{"a": 1, "b": "<id>"}`, `{"b": "x", "a": 1}`, true},
		{"object missing a key", `{"a": 1, "b": 2}`, `{"a": 1, "c": 2}`, false},
		{"object with an extra key", `{"a": 1}`, `{"a": 1, "b": 2}`, false},
		{"value redacted to its key", `{"X-Amzn-Trace-Id": "X-Amzn-Trace-Id"}`, `{"X-Amzn-Trace-Id": "Root=1-abc"}`, true},
		{"array", `[1, "<id>"]`, `[1, "z"]`, true},
		{"array order", `[1, 2]`, `[2, 1]`, false},
		{"array length", `[1]`, `[1, 1]`, false},
		{"number", `1.0`, `1`, true},
		{"multi-line", `"<a>\n"`, `"x\ny\n"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, err := jsonv.ParseString(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := jsonv.ParseString(tt.got)
			if err != nil {
				t.Fatal(err)
			}
			if m := r.Match(want, got); m != tt.match {
				t.Errorf("Match(%s, %s) = %v, want %v", tt.want, tt.got, m, tt.match)
			}
		})
	}
}
