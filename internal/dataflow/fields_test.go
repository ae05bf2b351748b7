package dataflow_test

import (
	"errors"
	"testing"

	"stepd/internal/asl"
	"stepd/internal/dataflow"
	"stepd/internal/jsonpath"
)

func pathDyn(field, path string) asl.Dyn {
	return asl.Dyn{Set: true, Path: jsonpath.MustCompile(path), Field: field}
}

// TestDynamicFields pins the values and AWS's runtime errors of the fields
// that take a literal or a …Path (TimeoutSeconds, Map settings, Fail
// Error/Cause).
func TestDynamicFields(t *testing.T) {
	input := parse(t, `{"n": 30, "zero": 0, "neg": -2, "pct": 12.5, "big": 150, "s": "text", "f": 1.5}`)
	env := &dataflow.Env{}
	eval := map[string]func(d asl.Dyn) (any, error){
		"Seconds":    func(d asl.Dyn) (any, error) { return dataflow.Seconds(d, input, env) },
		"MapInt":     func(d asl.Dyn) (any, error) { return dataflow.MapInt(d, input, env, "MaxConcurrency") },
		"MapPercent": func(d asl.Dyn) (any, error) { return dataflow.MapPercent(d, input, env) },
		"String": func(d asl.Dyn) (any, error) {
			s, err := dataflow.StringField(d, input, env)
			if s == nil {
				return nil, err
			}
			return *s, err
		},
	}
	tests := []struct {
		fn    string
		d     asl.Dyn
		want  any
		cause string
	}{
		{"Seconds", asl.Dyn{}, int64(0), ""},
		{"Seconds", asl.Dyn{Set: true, Literal: int64(5)}, int64(5), ""},
		{"Seconds", pathDyn("TimeoutSecondsPath", "$.n"), int64(30), ""},
		{"Seconds", pathDyn("TimeoutSecondsPath", "$.zero"), nil, "The TimeoutSecondsPath parameter does not reference a positive integer: $.zero == 0"},
		{"Seconds", pathDyn("HeartbeatSecondsPath", "$.s"), nil, `The HeartbeatSecondsPath parameter does not reference a positive integer: $.s == "text"`},
		{"MapInt", asl.Dyn{}, 0, ""},
		{"MapInt", pathDyn("MaxConcurrencyPath", "$.n"), 30, ""},
		{"MapInt", pathDyn("MaxConcurrencyPath", "$.neg"), nil, "MaxConcurrency cannot be negative."},
		{"MapInt", pathDyn("MaxConcurrencyPath", "$.f"), nil, `The MaxConcurrencyPath field refers to value "1.5" which is not a valid integer: $.f`},
		{"MapInt", pathDyn("MaxConcurrencyPath", "$.s"), nil, `The MaxConcurrencyPath field refers to value "text" which is not a valid integer: $.s`},
		{"MapPercent", pathDyn("ToleratedFailurePercentagePath", "$.pct"), 12.5, ""},
		{"MapPercent", pathDyn("ToleratedFailurePercentagePath", "$.big"), nil, "ToleratedFailurePercentage must be between 0 and 100."},
		{"MapPercent", pathDyn("ToleratedFailurePercentagePath", "$.s"), nil, `The ToleratedFailurePercentagePath field refers to value "text" which is not a valid number`},
		{"String", asl.Dyn{}, nil, ""},
		{"String", asl.Dyn{Set: true, Literal: "Boom"}, "Boom", ""},
		{"String", pathDyn("ErrorPath", "$.s"), "text", ""},
		{"String", pathDyn("CausePath", "$.n"), nil, "The CausePath field must reference a string: $.n == 30"},
	}
	for _, tt := range tests {
		t.Run(tt.fn+"/"+tt.d.Field, func(t *testing.T) {
			got, err := eval[tt.fn](tt.d)
			if tt.cause != "" {
				var f *dataflow.Failure
				if !errors.As(err, &f) || f.Name != asl.ErrRuntime || f.Cause != tt.cause {
					t.Fatalf("error %v, want States.Runtime %q", err, tt.cause)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %v (%T), %v; want %v (%T)", got, got, err, tt.want, tt.want)
			}
		})
	}
}
