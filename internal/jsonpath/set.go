package jsonpath

import (
	"errors"

	"stepd/internal/jsonv"
)

// Set returns a new root in which the location named by this reference path
// holds v. Missing intermediate objects are created; root itself is not
// modified (the objects and arrays along the path are copied, everything
// else is shared). Setting "$" returns v.
//
// The path must consist of names and single indexes (any path compiled with
// CompileReference does). It fails when a value along the path has the
// wrong type (a name applied to a string, an index to an object), when an
// index is out of range, or when a missing intermediate would have to be an
// array: with a *ReferenceError for a path compiled with CompileReference
// (AWS's ResultPath wording), otherwise with an *Error in Jayway's wording.
func (p *Path) Set(root any, v any) (any, error) {
	for i := range p.steps {
		if s := &p.steps[i]; s.descent || (s.kind != stepName && s.kind != stepIndex) {
			return nil, p.fail("Only names and single indexes can be used in a path that sets a value: " + normalizedPrefix(p.steps, i+1))
		}
	}
	out, err := p.setAt(root, 0, v)
	if err != nil && p.ref {
		var f *setFailure
		if errors.As(err, &f) {
			if f.step == 0 && !isContainer(root) {
				return nil, p.refFail(-1, root)
			}
			return nil, p.refFail(f.step, root)
		}
	}
	return out, err
}

// setFailure wraps a Set error with the index of the failing step.
type setFailure struct {
	step int
	err  error
}

func (f *setFailure) Error() string { return f.err.Error() }
func (f *setFailure) Unwrap() error { return f.err }

func isContainer(v any) bool {
	switch v.(type) {
	case *jsonv.Object, []any:
		return true
	}
	return false
}

func (p *Path) setAt(cur any, i int, v any) (any, error) {
	if i == len(p.steps) {
		return v, nil
	}
	s := &p.steps[i]
	switch s.kind {
	case stepName:
		obj, ok := cur.(*jsonv.Object)
		if !ok {
			return nil, &setFailure{i, p.notObject(i, cur)}
		}
		child, found := obj.Get(s.name)
		if !found && i+1 < len(p.steps) {
			if p.steps[i+1].kind != stepName {
				return nil, &setFailure{i, p.missingProperty(i)}
			}
			child = jsonv.NewObject(1)
		}
		nv, err := p.setAt(child, i+1, v)
		if err != nil {
			return nil, err
		}
		return obj.With(s.name, nv), nil
	default: // stepIndex
		arr, ok := cur.([]any)
		if !ok {
			return nil, &setFailure{i, p.notArray(i, cur)}
		}
		idx := s.index
		if idx < 0 {
			idx += len(arr)
		}
		if idx < 0 || idx >= len(arr) {
			return nil, &setFailure{i, p.fail("No results for path: " + normalizedPrefix(p.steps, i+1))}
		}
		nv, err := p.setAt(arr[idx], i+1, v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(arr))
		copy(out, arr)
		out[idx] = nv
		return out, nil
	}
}
