package asl

import (
	"slices"
	"strings"

	"stepd/internal/intrinsic"
	"stepd/internal/jsonv"
)

// state compiles one state object.
func (c *compiler) state(m *Machine, name string, v any, at path) *State {
	obj, ok := v.(*jsonv.Object)
	if !ok {
		c.typeError(at, "OBJECT")
		return nil
	}
	s := &State{Name: name, Location: at.aws, Machine: m, QueryLanguage: c.rootQL(m)}
	typ, ok := c.str(obj, at, "Type")
	if !obj.Has("Type") {
		c.required(at, "Type")
	}
	s.Type = stateTypeNames[typ]
	if s.Type == 0 {
		if !obj.Has("Type") || !ok {
			return placeholder(s, obj)
		}
		// Keep the state, so transitions to it do not cascade into more
		// diagnostics, but check nothing else about it.
		c.errorf(CodeSchema, at.key("Type"), "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map]")
		return placeholder(s, obj)
	}
	if qv, ok := obj.Get("QueryLanguage"); ok {
		ql := c.queryLanguage(qv, at.key("QueryLanguage"))
		if ql == JSONPath && c.rootQL(m) == JSONata {
			c.errorf(CodeSchema, at, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine")
		}
		s.QueryLanguage = ql
	}
	// The variable references found while compiling the state's fields
	// are its own; those of nested states are theirs.
	saved := c.current
	c.current = s
	c.stateBody(s, obj, at)
	c.current = saved
	slices.Sort(s.VariableReferences)
	return s
}

// stateBody compiles the fields of a state of a known type.
func (c *compiler) stateBody(s *State, obj *jsonv.Object, at path) {
	c.stateFields(s, obj, at)
	s.Comment, _ = c.str(obj, at, "Comment")
	c.flow(s, obj, at)
	c.dataFlow(s, obj, at)
	switch s.Type {
	case TypePass:
		if r, ok := obj.Get("Result"); ok {
			s.Result, s.HasResult = r, true
		}
	case TypeTask:
		c.task(s, obj, at)
	case TypeChoice:
		if !obj.Has("Choices") {
			c.errorf(CodeSchema, at, "These fields are required: [Choices]")
		}
		c.choiceRules(s, obj, at)
		s.Default, _ = c.str(obj, at, "Default")
	case TypeWait:
		c.wait(s, obj, at)
	case TypeFail:
		s.Error = c.failField(s, obj, at, "Error")
		s.Cause = c.failField(s, obj, at, "Cause")
	case TypeParallel:
		c.parallel(s, obj, at)
	case TypeMap:
		c.mapState(s, obj, at)
	}
}

// rootQL is the query language of the whole state machine: states inside
// branches and item processors default to it, not to their parent state's.
func (c *compiler) rootQL(m *Machine) QueryLanguage {
	for m.Parent != nil {
		m = m.Parent.Machine
	}
	return m.QueryLanguage
}

// stateFields reports fields that do not belong to the state's type or to
// its query language.
func (c *compiler) stateFields(s *State, obj *jsonv.Object, at path) {
	allowed := stateFields[s.Type]
	for _, k := range obj.Keys() {
		switch {
		case !allowed[k]:
			c.errorf(CodeSchema, at, "Field '%s' is not supported", k)
		case s.QueryLanguage == JSONata && jsonPathOnly[k]:
			c.languageError(at, JSONata, k)
		case s.QueryLanguage == JSONPath && jsonataOnly[k]:
			c.languageError(at, JSONPath, k)
		}
	}
}

// flow reads Next and End.
func (c *compiler) flow(s *State, obj *jsonv.Object, at path) {
	if s.Type == TypeChoice || s.Type == TypeSucceed || s.Type == TypeFail {
		return
	}
	next, hasNext := c.str(obj, at, "Next")
	if ev, ok := obj.Get("End"); ok {
		b, isBool := ev.(bool)
		if !isBool {
			c.typeError(at.key("End"), "BOOLEAN")
		}
		s.End = b
	}
	switch {
	case hasNext && s.End:
		c.exclusive(at, "Next", "End")
	case !obj.Has("Next") && !s.End:
		c.oneRequired(at, "Next", "End")
	}
	s.Next = next
}

// dataFlow reads the input/output processing fields of both languages and
// Assign.
func (c *compiler) dataFlow(s *State, obj *jsonv.Object, at path) {
	if s.QueryLanguage == JSONPath {
		s.InputPath, s.InputPathNull = c.optPath(obj, at, "InputPath", false)
		s.OutputPath, s.OutputPathNull = c.optPath(obj, at, "OutputPath", false)
		s.ResultPath, s.ResultPathNull = c.optPath(obj, at, "ResultPath", true)
		if v, ok := obj.Get("Parameters"); ok {
			if s.Type == TypeMap {
				s.ItemSelector = c.jsonPathTemplate(v, at.key("Parameters"))
			} else {
				s.Parameters = c.jsonPathTemplate(v, at.key("Parameters"))
			}
		}
		if v, ok := obj.Get("ResultSelector"); ok {
			s.ResultSelector = c.jsonPathTemplate(v, at.key("ResultSelector"))
		}
	} else {
		if v, ok := obj.Get("Arguments"); ok {
			s.Arguments = c.jsonataTemplate(v, at.key("Arguments"), "Arguments")
		}
		if v, ok := obj.Get("Output"); ok {
			c.withStates(resultFields(s.Type), func() { s.Output = c.jsonataTemplate(v, at.key("Output"), "Output") })
		}
	}
	if v, ok := obj.Get("Assign"); ok {
		c.withStates(resultFields(s.Type), func() { s.Assign = c.assign(s, v, at.key("Assign")) })
	}
	if s.Type == TypeTask || s.Type == TypeParallel || s.Type == TypeMap {
		c.retry(s, obj, at)
		c.catch(s, obj, at)
	}
}

// assign compiles an Assign object: variable names are identifiers; the
// values are templates of the state's query language.
func (c *compiler) assign(s *State, v any, at path) *Template {
	obj, ok := v.(*jsonv.Object)
	if !ok {
		c.typeError(at, "OBJECT")
		return nil
	}
	for _, k := range obj.Keys() {
		name := k
		if s.QueryLanguage == JSONPath {
			name = strings.TrimSuffix(k, ".$")
		}
		if !ValidVariableName(name) {
			if name == reservedVariableName {
				c.errorf(CodeSchema, at.key(k), "Cannot assign to reserved variable '$states'.")
			} else {
				c.errorf(CodeSchema, at.key(k), "Invalid variable name '%s': the variable name contains invalid characters.", name)
			}
		}
	}
	if s.QueryLanguage == JSONata {
		return c.jsonataTemplate(obj, at, "Assign")
	}
	return c.jsonPathTemplate(obj, at)
}

func (c *compiler) task(s *State, obj *jsonv.Object, at path) {
	res, ok := c.str(obj, at, "Resource")
	if !obj.Has("Resource") {
		c.required(at, "Resource")
	} else if ok {
		s.Resource = res
		s.Res = ParseResource(res)
		c.resource(res, at.key("Resource"))
	}
	s.Timeout = c.seconds(s, obj, at, "TimeoutSeconds", true)
	s.Heartbeat = c.seconds(s, obj, at, "HeartbeatSeconds", true)
	if s.Timeout.IsStatic() && s.Heartbeat.IsStatic() {
		t, _ := jsonv.AsInt(s.Timeout.Literal)
		h, _ := jsonv.AsInt(s.Heartbeat.Literal)
		if h >= t {
			c.errorf(CodeSchema, at.key("HeartbeatSeconds"), "HeartbeatSeconds must be smaller than TimeoutSeconds")
		}
	}
	if v, ok := obj.Get("Credentials"); ok {
		cat := at.key("Credentials")
		co, isObj := v.(*jsonv.Object)
		switch {
		case !isObj:
			c.typeError(cat, "OBJECT")
		case !co.Has("RoleArn") && !co.Has("RoleArn.$"):
			c.errorf(CodeSchema, cat, "The field 'RoleArn' is required but was missing")
		default:
			c.unknownFields(co, cat, credentialsFields)
			if s.QueryLanguage == JSONata {
				s.Credentials = c.jsonataTemplate(co, cat, "Credentials")
			} else {
				s.Credentials = c.jsonPathTemplate(co, cat)
			}
		}
	}
}

// resource checks a Task's Resource ARN.
func (c *compiler) resource(res string, at path) {
	parts := strings.SplitN(res, ":", 7)
	if len(parts) < 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		c.errorf(CodeInvalidResource, at, "Value is not a valid resource ARN: '%s'", res)
		return
	}
	if c.opts.Type == TypeExpress {
		switch {
		case strings.HasSuffix(res, ".sync") || strings.Contains(res, ".sync:"):
			c.errorf(CodeSchema, at, "Express state machine does not support '.sync' service integration")
		case strings.HasSuffix(res, ".waitForTaskToken"):
			c.errorf(CodeSchema, at, "Express state machine does not support '.waitForTaskToken' service integration ")
		case parts[2] == "states" && strings.HasPrefix(parts[5], "activity"):
			c.errorf(CodeSchema, at, "Express state machine does not support Activity ARN")
		}
	}
}

// seconds reads a positive integer field that may also be given as a
// "<name>Path" JSONPath (JSONPath) or as a JSONata expression.
func (c *compiler) seconds(s *State, obj *jsonv.Object, at path, name string, positive bool) Dyn {
	d := Dyn{Field: name}
	v, hasValue := obj.Get(name)
	pv, hasPath := obj.Get(name + "Path")
	if hasValue && hasPath {
		c.exclusive(at, name, name+"Path")
	}
	switch {
	case hasValue:
		d.Set = true
		if str, ok := v.(string); ok && s.QueryLanguage == JSONata && IsJSONataExpression(str) {
			d.Expr = c.jsonataTemplate(str, at.key(name), name)
			return d
		}
		n, ok := jsonv.AsInt(v)
		switch {
		case !ok:
			c.typeError(at.key(name), "INTEGER")
		case positive:
			c.bounds(at.key(name), n, 1, maxTimeoutSeconds)
		case n < 0:
			c.minimum(at.key(name), "0")
		}
		d.Literal = n
	case hasPath:
		d.Set = true
		d.Field = name + "Path"
		ps, ok := pv.(string)
		if !ok {
			c.typeError(at.key(name+"Path"), "STRING")
			return d
		}
		d.Path = c.compilePath(ps, at.key(name+"Path"), name+"Path", false)
	}
	return d
}

func (c *compiler) wait(s *State, obj *jsonv.Object, at path) {
	n := 0
	for _, f := range []string{"Seconds", "SecondsPath", "Timestamp", "TimestampPath"} {
		if obj.Has(f) {
			n++
		}
	}
	if n == 0 {
		c.oneRequired(at, "SecondsPath", "Seconds", "TimestampPath", "Timestamp")
		return
	}
	if n > 1 {
		c.exclusive(at, "SecondsPath", "Seconds", "TimestampPath", "Timestamp")
	}
	if obj.Has("Seconds") || obj.Has("SecondsPath") {
		s.Seconds = c.seconds(s, obj, at, "Seconds", false)
	}
	if v, ok := obj.Get("Timestamp"); ok {
		s.Timestamp = Dyn{Set: true, Field: "Timestamp"}
		str, isStr := v.(string)
		switch {
		case !isStr:
			c.typeError(at.key("Timestamp"), "STRING")
		case s.QueryLanguage == JSONata && IsJSONataExpression(str):
			s.Timestamp.Expr = c.jsonataTemplate(str, at.key("Timestamp"), "Timestamp")
		default:
			if _, ok := ParseTimestamp(str); !ok {
				c.errorf(CodeSchema, at.key("Timestamp"), "String does not match RFC3339 timestamp")
			}
			s.Timestamp.Literal = str
		}
	}
	if v, ok := obj.Get("TimestampPath"); ok {
		s.Timestamp = Dyn{Set: true, Field: "TimestampPath"}
		if str, isStr := v.(string); isStr {
			s.Timestamp.Path = c.compilePath(str, at.key("TimestampPath"), "TimestampPath", false)
		} else {
			c.typeError(at.key("TimestampPath"), "STRING")
		}
	}
}

// failField reads Fail's Error or Cause: a string (possibly a JSONata
// expression) or, in JSONPath, the <name>Path form holding a path or an
// intrinsic function.
func (c *compiler) failField(s *State, obj *jsonv.Object, at path, name string) Dyn {
	d := Dyn{Field: name}
	v, hasValue := obj.Get(name)
	pv, hasPath := obj.Get(name + "Path")
	if hasValue && hasPath {
		c.exclusive(at, name, name+"Path")
	}
	if hasValue {
		d.Set = true
		str, ok := v.(string)
		switch {
		case !ok:
			c.typeError(at.key(name), "STRING")
		case s.QueryLanguage == JSONata && IsJSONataExpression(str):
			d.Expr = c.jsonataTemplate(str, at.key(name), name)
		default:
			d.Literal = str
		}
		return d
	}
	if hasPath {
		d.Set = true
		d.Field = name + "Path"
		str, ok := pv.(string)
		if !ok {
			c.typeError(at.key(name+"Path"), "STRING")
			return d
		}
		if intrinsic.IsCall(str) {
			call, err := intrinsic.Parse(str)
			if err != nil {
				c.errorf(CodeSchema, at, "The value for the field '%sPath' must be a valid JSONPath or a valid intrinsic function call (%v)", name, err)
			}
			d.Call = call
			c.referenceCall(call)
		} else {
			d.Path = c.compilePath(str, at.key(name+"Path"), name+"Path", false)
		}
	}
	return d
}

func (c *compiler) parallel(s *State, obj *jsonv.Object, at path) {
	v, ok := obj.Get("Branches")
	if !ok {
		c.required(at, "Branches")
		return
	}
	bat := at.key("Branches")
	arr, ok := v.([]any)
	if !ok {
		c.typeError(bat, "ARRAY")
		return
	}
	if len(arr) == 0 {
		c.errorf(CodeSchema, bat, "Value cannot be empty")
		return
	}
	for i, b := range arr {
		bo, ok := b.(*jsonv.Object)
		if !ok {
			c.typeError(bat.index(i), "OBJECT")
			continue
		}
		s.Branches = append(s.Branches, c.machine(bo, bat.index(i), s, c.rootQL(s.Machine), s.Machine.Depth+1))
	}
}

// languageError reports a field that belongs to the other query language
// (measured wording, floci #2968/#3733).
func (c *compiler) languageError(at path, ql QueryLanguage, field string) {
	other := JSONata
	if ql == JSONata {
		other = JSONPath
	}
	c.errorf(CodeSchema, at, "The QueryLanguage is set to '%s', but field '%s' is only supported for the '%s' QueryLanguage", ql, field, other)
}

// placeholder keeps a state whose Type is missing or invalid in the machine,
// so that transitions to it do not cascade into more diagnostics; nothing
// else about it is checked.
func placeholder(s *State, obj *jsonv.Object) *State {
	if next, ok := obj.Get("Next"); ok {
		s.Next, _ = next.(string)
	}
	s.End = s.Next == ""
	return s
}
