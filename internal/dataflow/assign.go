package dataflow

import (
	"stepd/internal/asl"
	"stepd/internal/jsonv"
)

// Assign evaluates an Assign block and returns the new variable values in
// the order they were written. For JSONPath, "$" is input (the state's
// result, or its effective input for Choice and Wait, or a catcher's error
// output); for JSONata the bindings in env apply. All values are computed
// from the variables as they were on entry to the state, before any is set.
func Assign(s *asl.State, t *asl.Template, input any, env *Env) (*jsonv.Object, error) {
	if t == nil {
		return nil, nil
	}
	var (
		v   any
		err error
	)
	if s.QueryLanguage == asl.JSONata {
		v, err = JSONata(t, env)
	} else {
		v, err = Payload(t, input, env)
	}
	if err != nil {
		return nil, err
	}
	obj, _ := v.(*jsonv.Object)
	return obj, nil
}
