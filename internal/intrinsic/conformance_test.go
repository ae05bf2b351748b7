package intrinsic_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// casesDir holds executions recorded against real AWS (see the README there).
const casesDir = "../../../shared/conformance/aws-recorded/cases"

// awsCase is the part of a recorded case this test reads.
type awsCase struct {
	name       string
	input      any
	parameters *jsonv.Object
	status     string
	output     any
	redacted   bool
}

// loadIntrinsicCases reads the JSONPath intrinsic-function cases: each is a
// single Pass state whose Parameters call intrinsics on the recorded input.
func loadIntrinsicCases(tb testing.TB) []awsCase {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(casesDir, "intrinsic_functions__*.json"))
	if err != nil || len(files) == 0 {
		tb.Skipf("no AWS-recorded cases at %s (the shared conformance corpus is absent)", casesDir)
	}
	var out []awsCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonv.Parse(data)
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		if strings.Contains(jsonv.Marshal(get(doc, "features")), `"jsonata"`) {
			continue
		}
		states, _ := get(doc, "definition", "States").(*jsonv.Object)
		if states == nil || states.Len() != 1 {
			tb.Fatalf("%s: expected a single-state definition", f)
		}
		_, state := states.At(0)
		params, _ := get(state, "Parameters").(*jsonv.Object)
		redactions := jsonv.Marshal(get(doc, "redactions"))
		out = append(out, awsCase{
			name:       strings.TrimSuffix(filepath.Base(f), ".json"),
			input:      get(doc, "input"),
			parameters: params,
			status:     get(doc, "expected", "status").(string),
			output:     get(doc, "expected", "output"),
			redacted:   strings.Contains(redactions, "RandomNumberGenerated") || strings.Contains(redactions, "generated-uuid"),
		})
	}
	return out
}

// get walks object keys.
func get(v any, keys ...string) any {
	for _, k := range keys {
		o, ok := v.(*jsonv.Object)
		if !ok {
			return nil
		}
		v, _ = o.Get(k)
	}
	return v
}

// redactedContext is a context object holding the recording's redaction
// tokens where AWS had the real names, so outputs compare as recorded.
func redactedContext(input any) any {
	return jsonv.ObjectOf(
		"Execution", jsonv.ObjectOf(
			"Id", "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>",
			"Input", input,
			"Name", "<ExecArnPart_0idx>",
			"RoleArn", "snf_role_arn",
			"StartTime", "date",
		),
		"StateMachine", jsonv.ObjectOf(
			"Id", "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
			"Name", "<ArnPart_0idx>",
		),
		"State", jsonv.ObjectOf("Name", "State_0", "EnteredTime", "date"),
	)
}

// evalTemplate evaluates a Parameters payload template: ".$" keys hold an
// intrinsic call or a path, other values are literal.
func evalTemplate(t *testing.T, tmpl *jsonv.Object, env *testEnv) (*jsonv.Object, error) {
	out := jsonv.NewObject(tmpl.Len())
	for i := range tmpl.Len() {
		k, v := tmpl.At(i)
		if sub, ok := v.(*jsonv.Object); ok {
			r, err := evalTemplate(t, sub, env)
			if err != nil {
				return nil, err
			}
			out.Set(k, r)
			continue
		}
		name, dynamic := strings.CutSuffix(k, ".$")
		if !dynamic {
			out.Set(k, v)
			continue
		}
		expr := v.(string)
		var r any
		var err error
		if intrinsic.IsCall(expr) {
			var call *intrinsic.Call
			if call, err = intrinsic.Parse(expr); err != nil {
				t.Fatalf("Parse(%q): %v", expr, err)
			}
			r, err = call.Eval(env)
		} else {
			r, err = env.Resolve(jsonpath.MustCompile(expr))
		}
		if err != nil {
			return nil, err
		}
		out.Set(name, r)
	}
	return out, nil
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestAWSRecordedCases evaluates every JSONPath intrinsic-function case that
// LocalStack recorded against real AWS (shared/conformance/aws-recorded,
// category intrinsic_functions) and compares the Pass state's output with
// AWS's, exactly, except for the MathRandom and UUID results AWS's recording
// redacted, whose shape is checked instead.
func TestAWSRecordedCases(t *testing.T) {
	t.Parallel()
	cases := loadIntrinsicCases(t)
	agree := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := newEnv(c.input)
			env.context = redactedContext(c.input)
			env.uuid = "0b7a3f38-2a47-4b8f-9d44-9c1c8a6a2a11"
			got, err := evalTemplate(t, c.parameters, env)
			if c.status != "SUCCEEDED" {
				if err == nil {
					t.Fatalf("AWS failed this case, stepd produced %s", jsonv.Marshal(got))
				}
				agree++
				return
			}
			if err != nil {
				t.Fatalf("AWS succeeded with %s, stepd failed: %v", jsonv.Marshal(c.output), err)
			}
			if c.redacted {
				checkRedacted(t, c, got)
				agree++
				return
			}
			if !jsonv.Equal(got, c.output) || jsonv.Marshal(got) != jsonv.Marshal(c.output) {
				t.Fatalf("output\n got %s\nwant %s", jsonv.Marshal(got), jsonv.Marshal(c.output))
			}
			agree++
		})
	}
	t.Logf("AWS-recorded intrinsic cases: %d of %d agree", agree, len(cases))
}

// checkRedacted checks a result AWS's recording replaced by a token: a
// MathRandom number within [start, end) after rounding, or a v4 UUID.
func checkRedacted(t *testing.T, c awsCase, got *jsonv.Object) {
	t.Helper()
	v, _ := got.Get("FunctionResult")
	expr, _ := c.parameters.Get("FunctionResult.$")
	switch {
	case strings.HasPrefix(expr.(string), "States.MathRandom"):
		n, ok := v.(int64)
		lo := roundHalfUp(get(c.input, "FunctionInput", "fst"))
		hi := roundHalfUp(get(c.input, "FunctionInput", "snd"))
		if !ok || n < lo || n >= hi {
			t.Fatalf("MathRandom gave %v, want an integer in [%d, %d)", v, lo, hi)
		}
	case strings.HasPrefix(expr.(string), "States.UUID"):
		if s, _ := v.(string); !uuidV4.MatchString(s) {
			t.Fatalf("UUID gave %v, want a v4 UUID", v)
		}
	default:
		t.Fatalf("unexpected redacted case %s", expr)
	}
}

func roundHalfUp(v any) int64 {
	f, _ := jsonv.AsFloat(v)
	r := int64(f)
	if f < 0 && float64(r) != f {
		r--
	}
	if f-float64(r) >= 0.5 {
		r++
	}
	return r
}
