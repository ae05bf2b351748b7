package asl

import (
	"unicode"
	"unicode/utf8"

	"stepd/internal/jsonv"
)

// Error names predefined by the language (ASL spec, "Errors").
const (
	ErrAll                       = "States.ALL"
	ErrHeartbeatTimeout          = "States.HeartbeatTimeout"
	ErrTimeout                   = "States.Timeout"
	ErrTaskFailed                = "States.TaskFailed"
	ErrPermissions               = "States.Permissions"
	ErrResultPathMatchFailure    = "States.ResultPathMatchFailure"
	ErrParameterPathFailure      = "States.ParameterPathFailure"
	ErrBranchFailed              = "States.BranchFailed"
	ErrNoChoiceMatched           = "States.NoChoiceMatched"
	ErrIntrinsicFailure          = "States.IntrinsicFailure"
	ErrExceedToleratedFailure    = "States.ExceedToleratedFailureThreshold"
	ErrItemReaderFailed          = "States.ItemReaderFailed"
	ErrResultWriterFailed        = "States.ResultWriterFailed"
	ErrRuntime                   = "States.Runtime"
	ErrDataLimitExceeded         = "States.DataLimitExceeded"
	ErrQueryEvaluationError      = "States.QueryEvaluationError"
	ErrHTTPSocket                = "States.Http.Socket"
	defaultRetryInterval         = 1
	defaultRetryMaxAttempts      = 3
	defaultRetryBackoff          = 2.0
	maxVariableNameLength        = 80
	reservedVariableName         = "states"
	statesErrorPrefixForUserCode = "States."
)

func (c *compiler) errorEquals(obj *jsonv.Object, at path, last bool) []string {
	v, ok := obj.Get("ErrorEquals")
	if !ok {
		c.required(at, "ErrorEquals")
		return nil
	}
	eat := at.key("ErrorEquals")
	arr, ok := v.([]any)
	if !ok {
		c.typeError(eat, "ARRAY")
		return nil
	}
	if len(arr) == 0 {
		c.errorf(CodeSchema, eat, "Value cannot be empty")
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			c.typeError(eat.index(i), "STRING")
			continue
		}
		if s == ErrAll && (len(arr) > 1 || !last) {
			c.errorf(CodeSchema, eat, "States.ALL must appear alone and at end of list")
		}
		out = append(out, s)
	}
	return out
}

func (c *compiler) retry(s *State, obj *jsonv.Object, at path) {
	v, ok := obj.Get("Retry")
	if !ok {
		return
	}
	rat := at.key("Retry")
	arr, ok := v.([]any)
	if !ok {
		c.typeError(rat, "ARRAY")
		return
	}
	for i, e := range arr {
		eat := rat.index(i)
		ro, ok := e.(*jsonv.Object)
		if !ok {
			c.typeError(eat, "OBJECT")
			continue
		}
		c.unknownFields(ro, eat, retrierFields)
		r := &Retrier{IntervalSeconds: defaultRetryInterval, MaxAttempts: defaultRetryMaxAttempts, BackoffRate: defaultRetryBackoff}
		r.ErrorEquals = c.errorEquals(ro, eat, i == len(arr)-1)
		r.Comment, _ = c.str(ro, eat, "Comment")
		if n, ok := c.integer(ro, eat, "IntervalSeconds"); ok {
			c.bounds(eat.key("IntervalSeconds"), n, 1, maxRetryValue)
			r.IntervalSeconds = n
		}
		if n, ok := c.integer(ro, eat, "MaxAttempts"); ok {
			c.bounds(eat.key("MaxAttempts"), n, 0, maxRetryValue)
			r.MaxAttempts = n
		}
		if bv, ok := ro.Get("BackoffRate"); ok {
			f, isNum := jsonv.AsFloat(bv)
			switch {
			case !isNum:
				c.typeError(eat.key("BackoffRate"), "NUMBER")
			case f < 1.0:
				c.minimum(eat.key("BackoffRate"), "1.0")
			}
			r.BackoffRate = f
		}
		if n, ok := c.integer(ro, eat, "MaxDelaySeconds"); ok {
			c.bounds(eat.key("MaxDelaySeconds"), n, 1, maxDelaySeconds)
			r.MaxDelaySeconds = n
		}
		if js, ok := c.str(ro, eat, "JitterStrategy"); ok {
			switch js {
			case "FULL":
				r.JitterFull = true
			case "NONE":
			default:
				c.enumError(eat.key("JitterStrategy"), "NONE", "FULL")
			}
		}
		s.Retry = append(s.Retry, r)
	}
}

func (c *compiler) catch(s *State, obj *jsonv.Object, at path) {
	v, ok := obj.Get("Catch")
	if !ok {
		return
	}
	cat := at.key("Catch")
	arr, ok := v.([]any)
	if !ok {
		c.typeError(cat, "ARRAY")
		return
	}
	for i, e := range arr {
		eat := cat.index(i)
		co, ok := e.(*jsonv.Object)
		if !ok {
			c.typeError(eat, "OBJECT")
			continue
		}
		c.unknownFields(co, eat, catcherFields)
		k := &Catcher{}
		k.ErrorEquals = c.errorEquals(co, eat, i == len(arr)-1)
		k.Comment, _ = c.str(co, eat, "Comment")
		if !co.Has("Next") {
			c.required(eat, "Next")
		}
		k.Next, _ = c.str(co, eat, "Next")
		if s.QueryLanguage == JSONPath {
			if co.Has("Output") {
				c.languageError(eat, JSONPath, "Output")
			}
			k.ResultPath, k.ResultNull = c.optPath(co, eat, "ResultPath", true)
		} else {
			if co.Has("ResultPath") {
				c.languageError(eat, JSONata, "ResultPath")
			}
			if o, ok := co.Get("Output"); ok {
				c.withStates(statesErrorOutput, func() { k.Output = c.jsonataTemplate(o, eat.key("Output"), "Output") })
			}
		}
		if a, ok := co.Get("Assign"); ok {
			c.withStates(statesErrorOutput, func() { k.Assign = c.assign(s, a, eat.key("Assign")) })
		}
		s.Catch = append(s.Catch, k)
	}
}

// ValidVariableName reports whether name can be a workflow variable: a
// Unicode identifier (ID_Start then ID_Continue characters) of at most 80
// characters, other than the reserved "states" (AWS developer guide,
// "Passing data between states with variables").
func ValidVariableName(name string) bool {
	if name == "" || name == reservedVariableName || utf8.RuneCountInString(name) > maxVariableNameLength {
		return false
	}
	for i, r := range name {
		start := unicode.IsLetter(r) || r == '_' || unicode.Is(unicode.Nl, r)
		if i == 0 && !start {
			return false
		}
		if i > 0 && !start && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) && !unicode.Is(unicode.Pc, r) {
			return false
		}
	}
	return true
}
