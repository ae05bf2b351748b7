package asl

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"stepd/internal/jsonata"
	"stepd/internal/jsonv"
)

// refsEngine compiles and parses the expressions of these tests.
var refsEngine = sync.OnceValue(func() *jsonata.GojaEngine {
	return jsonata.New(jsonata.WithTimeLimit(10 * time.Second))
})

// AWS's messages (floci #2670, #2745, PRs #2699, #2786; sst #6110 for
// errorOutput outside a catcher). msgResult is stepd's own wording: no
// source gives AWS's.
const (
	msgPhone       = "Reference to 'phone' at the top level is not supported."
	msgDollar      = "Reference to '$' at the top level is not supported."
	msgRoot        = "Reference to '$$' is not supported."
	msgErrorOutput = "Field '$states.errorOutput' does not exist."
	msgResult      = "Field '$states.result' does not exist."
)

func topLevel(name string) string {
	return "Reference to '" + name + "' at the top level is not supported."
}

func TestUnsupportedReferences(t *testing.T) {
	t.Parallel()
	type refCase struct {
		expr      string
		available statesFields
		want      []string
	}
	var cases []refCase
	each := func(want []string, available statesFields, exprs ...string) {
		for _, e := range exprs {
			cases = append(cases, refCase{e, available, want})
		}
	}
	// The top-level identifier, measured by floci against
	// validate-state-machine-definition (JsonataTopLevelReferencesTest,
	// PR #2699): AWS names phone for every one of these.
	each([]string{msgPhone}, 0,
		"phone",
		"phone[0].number",
		"phone.number.street",
		"-phone",
		"phone ? 1 : 2",
		"$states.input.a ? phone : 2",
		"phone & 'x'",
		"phone in $states.input.b",
		"$sum(phone)",
		"phone(1)",
		"phone ~> $string()",
		"[1..phone]",
		"(phone)",
		"(phone).other",
		"[phone].other",
		"[phone, 1]",
		"{phone: 1}",
		"($x := phone; $x)",
		"$map($states.input.a, function($y){ phone })", // a lambda body keeps the outer context
		"$count(phone[inner])",
		"phone.**.deeper",
		"`phone`",
		"\"phone\".number", // a string literal as a path step is a field name
		"phone^(x)",
		"phone{'k': 1}",
		"phone#$i",
		"phone@$p",
		"function($x){ phone }",
		"$f(phone, ?)",
	)
	// Names that are not read from the top-level context, and other
	// expressions AWS accepts (floci, same test), plus the ones the task
	// names: variables, lambda parameters, $states.input and .context,
	// function calls.
	each(nil, 0,
		"$states.input.phone",
		"$states.input.a.phone",
		"$states.input.a[0].phone",
		"$states.input.a.phone[0]",
		"$states.input.items[phone > 3]",
		"$states.input.a^(phone)",
		"$states.input.a{'k': phone}",
		"$states.input.a.(phone)",
		"$states.input.a.$phone",
		"$phone",
		"$states.input.a ~> $string()",
		"$states.input ~> |phone|{'b': 1}|",
		"**.phone",
		"{'k': 1}.phone",
		"$states.input.a[0][phone]",
		"$states.input.a[$ > 1]",
		"function($x){ $x.phone }",
		"$map($states.input.a, function($x){ $x.phone })",
		"'phone'",
		"1 + 1",
		"$now()",
		"$x[total>10]",
		"$states.input.items[price > 10].name",
		"$states.context.Execution.Id",
		"$states.context",
		"$states",
		"$doesNotExist",
		"$v.a.b",
		"$sum($states.input.items.price) + $count($states.input.items)",
		"$states.input.items[$.price > 10]",
		"$filter($states.input.items, function($i){ $i.price > 10 }).name",
		"($t := $states.input.total; $t > 10 ? 'big' : 'small')",
		"$partition($states.input.items, 2)",
		"$states.input.a#$i[$i > 0].b",
		"$states.input.a@$x.b",
		"-5",
		"/ab+c/",
		"true and false",
		"null",
		"[1, 2, 3]",
		"{'a': $states.input.a, 'b': [$states.input.b]}",
		"$states.input.error",
		"$states.error", // an unknown member is accepted (floci)
		"$states.input.errorOutput",
		"$states.input.result",
	)
	// The context item is named "$" (floci).
	each([]string{msgDollar}, 0,
		"$",
		"$.phone",
		"$[0]",
		"$string($)",
		"$map($states.input.a, function($x){ $ })",
	)
	// $$ has its own message (floci #2745, PR #2786). Nested, it is reported
	// too: stepd's reading, not measured.
	each([]string{msgRoot}, 0,
		"$$",
		"$$.phone",
		"$states.input.items[$$.x]",
		"$map($states.input.a, function($v){ $v.b = $$.c })",
	)
	// $states.errorOutput outside a catcher (floci PR #2786), wherever it is
	// read (nested: stepd's reading).
	each([]string{msgErrorOutput}, 0,
		"$states.errorOutput",
		"$states.errorOutput.Cause",
		"$states.errorOutput.Error",
		"[$states.errorOutput]",
		"$states.errorOutput ? 1 : 2",
		"$states.input.items[$ = $states.errorOutput.Error]",
		"function($x){ $states.errorOutput }",
	)
	each(nil, statesErrorOutput,
		"$states.errorOutput",
		"$states.errorOutput.Cause",
		"{'error': $states.errorOutput.Error, 'input': $states.input}",
	)
	// $states.result outside the top-level Output and Assign of Task, Map
	// and Parallel.
	each([]string{msgResult}, 0,
		"$states.result",
		"$states.result.Payload",
		"$states.result[0]",
		"$count($states.result)",
		"$states.input.items[$states.result.x = 1]",
	)
	each([]string{msgResult}, statesErrorOutput, "$states.result")
	each([]string{msgErrorOutput}, statesResult, "$states.errorOutput")
	each(nil, statesResult,
		"$states.result",
		"$states.result.Payload.items[price > 1]",
		"$merge([$states.input, $states.result])",
	)
	// One message per distinct reference, in the order written (floci).
	cases = append(cases,
		refCase{"aaa + bbb", 0, []string{topLevel("aaa"), topLevel("bbb")}},
		refCase{"[bbb, aaa]", 0, []string{topLevel("bbb"), topLevel("aaa")}},
		refCase{"aaa + aaa", 0, []string{topLevel("aaa")}},
		refCase{"(aaa; bbb)", 0, []string{topLevel("aaa"), topLevel("bbb")}},
		refCase{"$number(aaa) + $number(bbb)", 0, []string{topLevel("aaa"), topLevel("bbb")}},
		refCase{"phone & $ & $$ & $states.errorOutput & $states.result & phone & $.x", 0,
			[]string{msgPhone, msgDollar, msgRoot, msgErrorOutput, msgResult}},
		refCase{"$states.result & $states.errorOutput", statesResult | statesErrorOutput, nil},
		refCase{"$states.input.a ? x : y.z", 0, []string{topLevel("x"), topLevel("y")}},
		refCase{"`first name` & $states.input.b", 0, []string{topLevel("first name")}},
	)

	eng := refsEngine()
	for _, tc := range cases {
		root, err := eng.Parse(tc.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.expr, err)
			continue
		}
		got := unsupportedReferences(root, tc.available)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q (available %b): got %q, want %q", tc.expr, tc.available, got, tc.want)
		}
	}
}

// TestUnsupportedReferencesRobust hands the checker trees the parser never
// builds: nil children, a path with one step, a name whose value is not a
// string.
func TestUnsupportedReferencesRobust(t *testing.T) {
	t.Parallel()
	name := &jsonata.Node{Type: "name", Value: "x"}
	tests := []struct {
		name string
		root *jsonata.Node
		want []string
	}{
		{"nil root", nil, nil},
		{"nil steps", &jsonata.Node{Type: "path", Steps: []*jsonata.Node{nil, nil}}, nil},
		{"states alone", &jsonata.Node{Type: "path", Steps: []*jsonata.Node{{Type: "variable", Value: "states"}}}, nil},
		{"member not a string", &jsonata.Node{Type: "path", Steps: []*jsonata.Node{{Type: "variable", Value: "states"}, {Type: "name", Value: int64(1)}}}, nil},
		{"nil pairs and terms", &jsonata.Node{Type: "unary", Value: "{", Pairs: []jsonata.Pair{{}}, Group: []jsonata.Pair{{}}}, nil},
		{"sort with nil term", &jsonata.Node{Type: "sort", Terms: []jsonata.SortTerm{{}}}, nil},
		{"shared subtree", &jsonata.Node{Type: "binary", Value: "+", LHS: &jsonata.Node{Type: "path", Steps: []*jsonata.Node{name}}, RHS: &jsonata.Node{Type: "path", Steps: []*jsonata.Node{name}}}, []string{topLevel("x")}},
	}
	for _, tt := range tests {
		if got := unsupportedReferences(tt.root, 0); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// diag is an expected diagnostic, compared exactly.
type diag struct{ code, location, message string }

func TestJSONataReferenceDiagnostics(t *testing.T) {
	t.Parallel()
	const lambda = `"Resource": "arn:aws:states:::lambda:invoke"`
	machine := func(states string) string {
		return `{"QueryLanguage": "JSONata", "StartAt": "S", "States": {` + states + `}}`
	}
	pass := func(fields string) string {
		return machine(`"S": {"Type": "Pass", ` + fields + `"End": true}`)
	}
	task := func(fields string) string {
		return machine(`"S": {"Type": "Task", ` + lambda + `, ` + fields + `"End": true}`)
	}
	catcher := func(fields string) string {
		return machine(`"S": {"Type": "Task", ` + lambda + `, "Catch": [{"ErrorEquals": ["States.ALL"], ` + fields + `"Next": "H"}], "End": true},
			"H": {"Type": "Succeed"}`)
	}
	mapState := func(fields string) string {
		return machine(`"S": {"Type": "Map", "Items": "{% $states.input.items %}", ` + fields + `"ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}`)
	}
	parallel := func(fields string) string {
		return machine(`"S": {"Type": "Parallel", ` + fields + `"Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}], "End": true}`)
	}
	un := CodeUnsupportedJSONata
	tests := []struct {
		name string
		def  string
		want []diag
	}{
		// floci #2670: the measured diagnostic and location.
		{"bare name in Output", `{"QueryLanguage": "JSONata", "StartAt": "E", "States": {"E": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}}}`,
			[]diag{{un, "/States/E/Output/v", msgPhone}}},
		// floci PR #2786 (ValidateStateMachineDefinition tests).
		{"$$ in Output", pass(`"Output": "{% $$ %}", `), []diag{{un, "/States/S/Output", msgRoot}}},
		{"errorOutput in Pass Output", pass(`"Output": "{% $states.errorOutput %}", `), []diag{{un, "/States/S/Output", msgErrorOutput}}},
		{"errorOutput in catcher Output", catcher(`"Output": "{% $states.errorOutput %}", `), nil},
		{"errorOutput in catcher Assign", catcher(`"Assign": {"lastError": "{% $states.errorOutput %}"}, `), nil},
		// sst #6110: AWS refuses errorOutput in a Task's arguments.
		{"errorOutput in Arguments", task(`"Arguments": {"Payload": {"e": "{% $states.errorOutput %}"}}, `),
			[]diag{{un, "/States/S/Arguments/Payload/e", msgErrorOutput}}},
		{"errorOutput in the Task's own Output", task(`"Output": "{% $states.errorOutput %}", `), []diag{{un, "/States/S/Output", msgErrorOutput}}},
		{"errorOutput in the Task's own Assign", task(`"Assign": {"e": "{% $states.errorOutput.Cause %}"}, `), []diag{{un, "/States/S/Assign/e", msgErrorOutput}}},
		{"errorOutput in a Choice rule", machine(`"S": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Output": "{% $states.errorOutput %}", "Next": "D"}], "Default": "D"}, "D": {"Type": "Succeed"}`),
			[]diag{{un, "/States/S/Choices[0]/Output", msgErrorOutput}}},

		// $states.result: the top-level Output and Assign of Task, Map,
		// Parallel only.
		{"result in Task Output and Assign", task(`"Output": {"r": "{% $states.result.Payload %}"}, "Assign": {"x": "{% $states.result %}"}, `), nil},
		{"result in Map Output", mapState(`"Output": "{% $states.result %}", `), nil},
		{"result in Map Assign", mapState(`"Assign": {"n": "{% $count($states.result) %}"}, `), nil},
		{"result in Parallel Output and Assign", parallel(`"Output": "{% $states.result[0] %}", "Assign": {"all": "{% $states.result %}"}, `), nil},
		{"result in Pass Output", pass(`"Output": "{% $states.result %}", `), []diag{{un, "/States/S/Output", msgResult}}},
		{"result in Pass Assign", pass(`"Assign": {"x": "{% $states.result.items %}"}, `), []diag{{un, "/States/S/Assign/x", msgResult}}},
		{"result in Task Arguments", task(`"Arguments": "{% $states.result %}", `), []diag{{un, "/States/S/Arguments", msgResult}}},
		{"result in Task TimeoutSeconds", task(`"TimeoutSeconds": "{% $states.result.t %}", `), []diag{{un, "/States/S/TimeoutSeconds", msgResult}}},
		{"result in a catcher", catcher(`"Output": "{% $states.result %}", "Assign": {"r": "{% $states.result %}"}, `),
			[]diag{{un, "/States/S/Catch[0]/Output", msgResult}, {un, "/States/S/Catch[0]/Assign/r", msgResult}}},
		{"result in Map ItemSelector", mapState(`"ItemSelector": {"x": "{% $states.result %}"}, `), []diag{{un, "/States/S/ItemSelector/x", msgResult}}},
		{"result in Map Items", machine(`"S": {"Type": "Map", "Items": "{% $states.result %}", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": true}}}, "End": true}`),
			[]diag{{un, "/States/S/Items", msgResult}}},
		{"result in a Choice Condition", machine(`"S": {"Type": "Choice", "Choices": [{"Condition": "{% $states.result.ok %}", "Next": "D"}], "Default": "D"}, "D": {"Type": "Succeed"}`),
			[]diag{{un, "/States/S/Choices[0]/Condition", msgResult}}},
		{"result in a Fail Cause", machine(`"S": {"Type": "Fail", "Cause": "{% $states.result %}"}`), []diag{{un, "/States/S/Cause", msgResult}}},
		{"result in a Wait", machine(`"S": {"Type": "Wait", "Seconds": "{% $states.result %}", "End": true}`), []diag{{un, "/States/S/Seconds", msgResult}}},
		{"result in a state inside a Map", machine(`"S": {"Type": "Map", "Items": "{% $states.input.items %}", "Output": "{% $states.result %}",
			"ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": "{% $states.result %}", "End": true}}}, "End": true}`),
			[]diag{{un, "/States/S/ItemProcessor/States/I/Output", msgResult}}},
		{"the allowance ends with the catcher", machine(`"S": {"Type": "Task", ` + lambda + `, "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "H"}], "Next": "H"},
			"H": {"Type": "Pass", "Output": "{% $states.errorOutput %}", "End": true}`),
			[]diag{{un, "/States/H/Output", msgErrorOutput}}},

		// Top-level references in every kind of field, located at the field.
		{"several references in one field, in order", pass(`"Output": {"a": ["x", "{% aaa + $ + bbb + aaa %}"]}, `),
			[]diag{{un, "/States/S/Output/a[1]", topLevel("aaa")}, {un, "/States/S/Output/a[1]", msgDollar}, {un, "/States/S/Output/a[1]", topLevel("bbb")}}},
		{"Choice Condition", machine(`"S": {"Type": "Choice", "Choices": [{"Condition": "{% total > 10 %}", "Next": "D"}], "Default": "D"}, "D": {"Type": "Succeed"}`),
			[]diag{{un, "/States/S/Choices[0]/Condition", topLevel("total")}}},
		{"Task Arguments", task(`"Arguments": {"FunctionName": "f", "Payload": "{% $.order %}"}, `), []diag{{un, "/States/S/Arguments/Payload", msgDollar}}},
		{"Fail Error", machine(`"S": {"Type": "Fail", "Error": "{% code %}"}`), []diag{{un, "/States/S/Error", topLevel("code")}}},
		{"Map ItemSelector", mapState(`"ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "w": "{% value %}"}, `),
			[]diag{{un, "/States/S/ItemSelector/w", topLevel("value")}}},
		{"Parallel branch state", machine(`"S": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": {"k": "{% k %}"}, "End": true}}}], "End": true}`),
			[]diag{{un, "/States/S/Branches[0]/States/B/Output/k", topLevel("k")}}},
		{"state with JSONata under a JSONPath machine", `{"StartAt": "S", "States": {"S": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $$.x %}", "End": true}}}`,
			[]diag{{un, "/States/S/Output", msgRoot}}},

		// What must stay valid.
		{"valid expressions", task(`"Arguments": {"FunctionName": "{% $fn %}", "Payload": {
				"items": "{% $states.input.items[price > 10].name %}",
				"id": "{% $states.context.Execution.Id %}",
				"big": "{% $filter($states.input.items, function($i){ $i.price > 100 }) %}",
				"n": "{% $count($states.input.items) + $undefinedVariable %}",
				"x": "{% $x[total>10] %}",
				"s": "{% $string($states.input) %}",
				"not an expression": "phone",
				"also not": " {% phone %} "}},
			"Output": {"r": "{% $states.result.Payload %}", "in": "{% $states.input %}"},
			"Assign": {"v": "{% $states.result.Payload.v %}"}, `), nil},
		{"JSONPath fields are not JSONata", `{"StartAt": "S", "States": {"S": {"Type": "Pass", "Parameters": {"a.$": "$.phone", "b.$": "$$.Execution.Id"}, "End": true}}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, diags := Compile([]byte(tt.def), Options{JSONata: refsEngine()})
			var got []diag
			for _, d := range diags {
				got = append(got, diag{d.Code, d.Location, d.Message})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("diagnostics:\n got %q\nwant %q", got, tt.want)
			}
			for _, d := range diags {
				if d.Severity != SeverityError {
					t.Errorf("%v: severity %s", d, d.Severity)
				}
			}
		})
	}
}

// TestJSONataReferenceMessage checks the whole CreateStateMachine message
// against floci #2670's.
func TestJSONataReferenceMessage(t *testing.T) {
	t.Parallel()
	def := `{"QueryLanguage": "JSONata", "StartAt": "E", "States": {"E": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}}}`
	m, diags := Compile([]byte(def), Options{JSONata: refsEngine()})
	if m != nil {
		t.Error("the machine compiled")
	}
	want := "Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/E/Output/v'"
	if got := diags.InvalidDefinitionMessage(); got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
}

// compileOnly is an engine that does not expose parse trees.
type compileOnly struct{ jsonata.Engine }

// TestJSONataReferencesNeedAParser checks that an engine without Parse
// still compiles definitions, with no reference checks, and that a syntax
// error is reported once, without reference diagnostics.
func TestJSONataReferencesNeedAParser(t *testing.T) {
	t.Parallel()
	def := `{"QueryLanguage": "JSONata", "StartAt": "E", "States": {"E": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": true}}}`
	if _, diags := Compile([]byte(def), Options{JSONata: compileOnly{refsEngine()}}); len(diags) != 0 {
		t.Errorf("engine without Parse: %v", diags)
	}
	if _, diags := Compile([]byte(def), Options{}); len(diags) != 0 {
		t.Errorf("no engine: %v", diags)
	}
	bad := strings.Replace(def, "phone", "phone[1,2)", 1)
	_, diags := Compile([]byte(bad), Options{JSONata: refsEngine()})
	if len(diags) != 1 || diags[0].Code != CodeInvalidJSONata || diags[0].Message != `Expected "]", got ","` {
		t.Errorf("syntax error: %v", diags)
	}
}

// FuzzUnsupportedReferences checks random expressions, alone and inside a
// definition, in every kind of field: no panics, and at most one message
// per reference.
func FuzzUnsupportedReferences(f *testing.F) {
	for _, s := range []string{
		"phone", "$", "$$", "$$.x", "$.x", "$[0]", "$states.errorOutput", "$states.result.Payload",
		"$map($states.input.a, function($y){ phone })", "$states.input.items[price > 10].name",
		"{phone: 1}.x", "(a; b; $c := d)", "a ~> |b|{c: d}, ['e']|", "a^(>b, c){d: e}#$i@$j",
		"$f(?, x)", "x ? y : z", "-a", "[1..n]", "**.a", "%", "`a b`.c", "'s'.t", "/re/i", "",
	} {
		f.Add(s)
	}
	eng := refsEngine()
	f.Fuzz(func(t *testing.T, src string) {
		root, err := eng.Parse(src)
		if err != nil {
			return
		}
		for _, available := range []statesFields{0, statesResult, statesErrorOutput, statesResult | statesErrorOutput} {
			got := unsupportedReferences(root, available)
			seen := map[string]bool{}
			for _, m := range got {
				if seen[m] {
					t.Fatalf("%q: %q reported twice", src, m)
				}
				seen[m] = true
			}
		}
		expr := jsonv.Marshal("{% " + src + " %}")
		def := `{"QueryLanguage": "JSONata", "StartAt": "T", "States": {
			"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": ` + expr + `, "Output": ` + expr + `,
				"Catch": [{"ErrorEquals": ["States.ALL"], "Output": ` + expr + `, "Next": "C"}], "Next": "C"},
			"C": {"Type": "Choice", "Choices": [{"Condition": ` + expr + `, "Next": "E"}], "Default": "E"},
			"E": {"Type": "Pass", "Output": {"v": [` + expr + `]}, "End": true}}}`
		_, diags := Compile([]byte(def), Options{JSONata: eng})
		for _, d := range diags {
			if d.Code != CodeUnsupportedJSONata && d.Code != CodeInvalidJSONata {
				t.Fatalf("%q: unexpected diagnostic %v", src, d)
			}
		}
	})
}
