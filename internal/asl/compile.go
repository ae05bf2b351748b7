package asl

import (
	"errors"
	"strconv"
	"unicode/utf8"

	"stepd/internal/jsonata"
	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// Machine types.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// Limits of the language (AWS Step Functions quotas).
const (
	MaxStateNameLength = 80
	MaxLabelLength     = 40
	MaxNestingDepth    = 20 // nested Parallel/Map levels before TOO_DEEPLY_NESTED
	maxRetryValue      = 99999999
	maxDelaySeconds    = 31622400
	maxTimeoutSeconds  = 99999999
)

// Options control compilation.
type Options struct {
	// Type is the state machine type: STANDARD (the default) or EXPRESS, which
	// forbids .sync and .waitForTaskToken integrations and activities.
	Type string
	// JSONata compiles the text inside "{% %}". When nil, JSONata
	// expressions are not syntax-checked and a machine that uses them cannot
	// run.
	JSONata jsonata.Engine
}

// Compile parses a JSON definition, checks it and compiles it. It returns
// every diagnostic found; the machine is nil when there is any error.
func Compile(src []byte, opts Options) (*Machine, Diagnostics) {
	doc, diags := ParseJSON(src)
	if doc == nil {
		return nil, diags
	}
	m, more := CompileDocument(doc, opts)
	return m, append(diags, more...)
}

// CompileDocument checks and compiles a parsed definition (JSON or YAML).
func CompileDocument(doc *Document, opts Options) (*Machine, Diagnostics) {
	c := &compiler{opts: opts, names: map[string]bool{}}
	c.doc = doc
	obj, ok := doc.Value.(*jsonv.Object)
	if !ok {
		c.errorf(CodeSchema, nowhere, "Definition must be a valid JSON object")
		return nil, c.list
	}
	for _, d := range doc.Duplicates() {
		c.warnf(CodeWarnDuplicateJSONKeys, pathFromPointer(d.Pointer), "Duplicate key; the last value is used")
		c.list[len(c.list)-1].Pos = d.Pos // the repeated key, not the first
	}
	m := c.machine(obj, path{}, nil, JSONPath, 0)
	if c.list.HasErrors() {
		return nil, c.list
	}
	return m, c.list
}

// compiler checks and compiles one definition.
type compiler struct {
	collector
	opts  Options
	names map[string]bool // every state name, machine-wide: names must be unique
	// jsonataStates is what $states offers the expressions being compiled
	// beyond input and context (see withStates).
	jsonataStates statesFields
	// current is the state whose variable references are being collected
	// (see varrefs.go), nil outside states.
	current *State
}

// machine compiles a States block: the top level (depth 0), a Parallel branch
// or a Map item processor.
func (c *compiler) machine(obj *jsonv.Object, at path, parent *State, ql QueryLanguage, depth int) *Machine {
	m := &Machine{Location: at.aws, Parent: parent, Depth: depth, QueryLanguage: ql}
	allowed := branchFields
	if depth == 0 {
		allowed = topFields
	} else if parent != nil && parent.Type == TypeMap {
		allowed = processorFields
	}
	c.unknownFields(obj, at, allowed)
	var missing []string
	if !obj.Has("States") {
		missing = append(missing, "States")
	}
	if !obj.Has("StartAt") {
		missing = append(missing, "StartAt")
	}
	if len(missing) > 0 {
		c.required(at, missing...)
	}
	m.Comment, _ = c.str(obj, at, "Comment")
	m.StartAt, _ = c.str(obj, at, "StartAt")
	if depth == 0 {
		if v, ok := obj.Get("QueryLanguage"); ok {
			m.QueryLanguage = c.queryLanguage(v, at.key("QueryLanguage"))
		}
		if v, ok := c.str(obj, at, "Version"); ok {
			m.Version = v
		}
		if n, ok := c.integer(obj, at, "TimeoutSeconds"); ok {
			c.bounds(at.key("TimeoutSeconds"), n, 1, maxTimeoutSeconds)
			m.TimeoutSeconds = n
		}
	}
	if depth > MaxNestingDepth {
		c.errorf(CodeTooDeeplyNested, at, "The states are nested more than %d levels deep", MaxNestingDepth)
		return m
	}
	statesV, ok := obj.Get("States")
	if !ok {
		return m
	}
	statesAt := at.key("States")
	states, ok := statesV.(*jsonv.Object)
	if !ok {
		c.typeError(statesAt, "OBJECT")
		return m
	}
	m.ByName = make(map[string]*State, states.Len())
	for i := 0; i < states.Len(); i++ {
		name, sv := states.At(i)
		sAt := statesAt.key(name)
		if c.names[name] {
			c.errorf(CodeDuplicateStateName, sAt, "Duplicate State name: %s", name)
		}
		c.names[name] = true
		if utf8.RuneCountInString(name) > MaxStateNameLength || name == "" {
			c.errorf(CodeInvalidStateName, sAt, "State names must be between 1 and %d characters long", MaxStateNameLength)
		}
		s := c.state(m, name, sv, sAt)
		if s == nil {
			continue
		}
		s.Index = len(m.States)
		m.States = append(m.States, s)
		m.ByName[name] = s
	}
	if m.StartAt != "" || obj.Has("StartAt") {
		m.Start = m.ByName[m.StartAt]
		if m.Start == nil && obj.Has("States") {
			c.errorf(CodeMissingTransition, at.key("StartAt"), "Missing 'Next' target: %s", m.StartAt)
		}
	}
	c.transitions(m, statesAt, obj.Has("StartAt"))
	return m
}

// transitions resolves Next targets, then reports unreachable states and a
// machine with no terminal state, in AWS's order: dangling targets first,
// then MISSING_END_STATE, which suppresses the reachability walk.
func (c *compiler) transitions(m *Machine, statesAt path, hasStart bool) {
	target := func(name string, at path) *State {
		t := m.ByName[name]
		if t == nil {
			c.errorf(CodeMissingTransition, at, "Missing 'Next' target: %s", name)
		}
		return t
	}
	terminal := false
	for _, s := range m.States {
		sAt := statesAt.key(s.Name)
		if s.Next != "" {
			s.NextState = target(s.Next, sAt.key("Next"))
		}
		for i, r := range s.Choices {
			if r.Next != "" {
				r.NextState = target(r.Next, sAt.key("Choices").index(i).key("Next"))
			}
		}
		if s.Default != "" {
			s.DefaultState = target(s.Default, sAt.key("Default"))
		}
		for i, k := range s.Catch {
			if k.Next != "" {
				k.NextState = target(k.Next, sAt.key("Catch").index(i).key("Next"))
			}
		}
		if s.IsTerminal() {
			terminal = true
		}
	}
	if len(m.States) == 0 {
		return
	}
	// AWS checks for a terminal state at the top level only; a loop inside a
	// branch or item processor is accepted (measured, floci PR #2786).
	if !terminal && m.Depth == 0 {
		c.errorf(CodeMissingEndState, nowhere, "Workflow has no terminal state")
		return
	}
	if !hasStart {
		return // reported as a missing field already
	}
	reached := make([]bool, len(m.States))
	var stack []*State
	if m.Start != nil {
		stack = append(stack, m.Start)
	}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if reached[s.Index] {
			continue
		}
		reached[s.Index] = true
		push := func(t *State) {
			if t != nil && !reached[t.Index] {
				stack = append(stack, t)
			}
		}
		push(s.NextState)
		push(s.DefaultState)
		for _, r := range s.Choices {
			push(r.NextState)
		}
		for _, k := range s.Catch {
			push(k.NextState)
		}
	}
	for _, s := range m.States {
		if !reached[s.Index] {
			c.errorf(CodeMissingTransition, statesAt.key(s.Name), "State \"%s\" is not reachable.", s.Name)
		}
	}
}

func (c *compiler) unknownFields(obj *jsonv.Object, at path, allowed map[string]bool) {
	for _, k := range obj.Keys() {
		if !allowed[k] {
			c.errorf(CodeSchema, at, "Field '%s' is not supported", k)
		}
	}
}

// queryLanguage reads a QueryLanguage value. As AWS does, only the exact
// string "JSONPath" selects JSONPath; any other value selects JSONata, and a
// value other than the two names is also reported.
func (c *compiler) queryLanguage(v any, at path) QueryLanguage {
	switch v {
	case "JSONPath":
		return JSONPath
	case "JSONata":
		return JSONata
	}
	if _, ok := v.(string); ok {
		c.enumError(at, "JSONPath", "JSONata")
	} else {
		c.typeError(at, "STRING")
	}
	return JSONata
}

// str returns a string field; a present non-string is a diagnostic.
func (c *compiler) str(obj *jsonv.Object, at path, key string) (string, bool) {
	v, ok := obj.Get(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		c.typeError(at.key(key), "STRING")
		return "", false
	}
	return s, true
}

// integer returns an integral number field.
func (c *compiler) integer(obj *jsonv.Object, at path, key string) (int64, bool) {
	v, ok := obj.Get(key)
	if !ok {
		return 0, false
	}
	n, ok := jsonv.AsInt(v)
	if !ok {
		c.typeError(at.key(key), "INTEGER")
		return 0, false
	}
	return n, true
}

// optPath compiles a JSONPath field that may be null (InputPath, OutputPath,
// ResultPath). reference selects the reference-path grammar.
func (c *compiler) optPath(obj *jsonv.Object, at path, key string, reference bool) (p *jsonpath.Path, null bool) {
	v, ok := obj.Get(key)
	if !ok {
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	s, ok := v.(string)
	if !ok {
		c.typeError(at.key(key), "STRING")
		return nil, false
	}
	return c.compilePath(s, at.key(key), key, reference), false
}

func (c *compiler) compilePath(s string, at path, field string, reference bool) *jsonpath.Path {
	var (
		p   *jsonpath.Path
		err error
	)
	if reference {
		p, err = jsonpath.CompileReference(s)
	} else {
		p, err = jsonpath.Compile(s)
	}
	if err != nil {
		if reference {
			c.errorf(CodeSchema, at, "Value is not a Reference Path: %v", err)
		} else {
			c.errorf(CodeSchema, at, "Value must be a valid JSONPath. (%v)", err)
		}
		return nil
	}
	c.referencePath(p)
	return p
}

// pathFromPointer rebuilds a path from an RFC 6901 pointer, treating numeric
// segments as keys (used only for positions of duplicate keys).
func pathFromPointer(p string) path {
	return path{aws: p, rfc: p}
}

// compileJSONata compiles one expression, reporting syntax errors.
func (c *compiler) compileJSONata(src string, at path) JSONataExpr {
	if c.opts.JSONata == nil {
		return nil
	}
	e, err := c.opts.JSONata.Compile(src)
	if err != nil {
		// AWS quotes the parser's message without its code (measured:
		// "INVALID_JSONATA_EXPRESSION: Unexpected end of expression").
		var je *jsonata.Error
		if errors.As(err, &je) {
			c.errorf(CodeInvalidJSONata, at, "%s", je.Message)
		} else {
			c.errorf(CodeInvalidJSONata, at, "%v", err)
		}
		return nil
	}
	c.checkJSONataReferences(src, at)
	return e
}

// bounds reports n outside [lo, hi].
func (c *compiler) bounds(at path, n, lo, hi int64) bool {
	switch {
	case n < lo:
		c.minimum(at, strconv.FormatInt(lo, 10))
	case n > hi:
		c.maximum(at, strconv.FormatInt(hi, 10))
	default:
		return true
	}
	return false
}
