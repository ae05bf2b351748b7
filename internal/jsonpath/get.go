package jsonpath

import (
	"fmt"

	"stepd/internal/jsonv"
)

// Get evaluates the path against root (the input, the context object or the
// variable's value, chosen by the caller according to Root()). A definite
// path returns the value, or an *Error when it matches nothing (a
// *ReferenceError for a path compiled with CompileReference). An indefinite
// path (wildcard, filter, slice, union, deep scan) returns a []any of all
// matches, [] when there are none.
func (p *Path) Get(root any) (any, error) {
	if p.ref {
		v, i, ok := p.lookupSteps(root)
		if !ok {
			return nil, p.refFail(i, root)
		}
		return v, nil
	}
	if p.definite {
		return p.getDefinite(root)
	}
	return p.getAll(root)
}

// lookupSteps walks a reference path; on failure it reports the step that
// could not be applied.
func (p *Path) lookupSteps(root any) (v any, failed int, ok bool) {
	cur := root
	for i := range p.steps {
		s := &p.steps[i]
		switch s.kind {
		case stepName:
			obj, isObj := cur.(*jsonv.Object)
			if !isObj {
				return nil, i, false
			}
			if cur, ok = obj.Get(s.name); !ok {
				return nil, i, false
			}
		default: // stepIndex
			arr, isArr := cur.([]any)
			if !isArr {
				return nil, i, false
			}
			if cur, ok = indexOf(arr, s.index); !ok {
				return nil, i, false
			}
		}
	}
	return cur, -1, true
}

// getDefinite walks names and single indexes without allocating; only a
// failure builds an error.
func (p *Path) getDefinite(root any) (any, error) {
	cur := root
	last := len(p.steps) - 1
	for i := range p.steps {
		s := &p.steps[i]
		switch s.kind {
		case stepName:
			obj, ok := cur.(*jsonv.Object)
			if !ok {
				return nil, p.notObject(i, cur)
			}
			v, found := obj.Get(s.name)
			if !found {
				if i == last {
					return nil, p.noResults()
				}
				return nil, p.missingProperty(i)
			}
			cur = v
		case stepIndex:
			arr, ok := cur.([]any)
			if !ok {
				return nil, p.notArray(i, cur)
			}
			idx := s.index
			if idx < 0 {
				idx += len(arr)
			}
			if idx < 0 || idx >= len(arr) {
				return nil, p.noResults()
			}
			cur = arr[idx]
		case stepNames:
			obj, ok := cur.(*jsonv.Object)
			if !ok {
				return nil, p.notObject(i, cur)
			}
			return mergeNames(obj, s.names), nil
		}
	}
	return cur, nil
}

// mergeNames is Jayway's multi-property leaf: an object holding those of
// names that obj has.
func mergeNames(obj *jsonv.Object, names []string) *jsonv.Object {
	out := jsonv.NewObject(len(names))
	for _, n := range names {
		if v, ok := obj.Get(n); ok {
			out.Set(n, v)
		}
	}
	return out
}

// getAll evaluates an indefinite path. A panic (which would be a bug) is
// turned into an error rather than taking the caller down.
func (p *Path) getAll(root any) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			result, err = nil, p.fail(fmt.Sprintf("internal error evaluating the path: %v", r))
		}
	}()
	out, err := walk(p.steps, 0, root, root, make([]any, 0, 4))
	if err != nil {
		return nil, &Error{Path: p.src, Detail: err.Error()}
	}
	return out, nil
}

// multiPropsError is Jayway's complaint about ['a','b'] before the end of a
// path.
type multiPropsError struct{ at string }

func (e *multiPropsError) Error() string {
	return "Multi properties can only be used as path leafs: " + e.at
}

// walk applies steps[i:] to cur, appending every match to out. Values that do
// not fit a step (a name on an array, an index out of range) are skipped.
func walk(steps []step, i int, cur, root any, out []any) ([]any, error) {
	if i == len(steps) {
		return append(out, cur), nil
	}
	s := &steps[i]
	if s.descent {
		return descend(steps, i, cur, root, out)
	}
	return apply(steps, i, cur, root, out, false)
}

// apply applies the selector of steps[i] (ignoring its descent flag) to cur
// and continues with the rest of the path on each selected value. Inside a
// deep scan (scan is true) a filter tests only the objects it visits, since
// the scan visits array elements itself.
func apply(steps []step, i int, cur, root any, out []any, scan bool) ([]any, error) {
	s := &steps[i]
	var err error
	switch s.kind {
	case stepName:
		if obj, ok := cur.(*jsonv.Object); ok {
			if v, ok := obj.Get(s.name); ok {
				return walk(steps, i+1, v, root, out)
			}
		}
	case stepIndex:
		if arr, ok := cur.([]any); ok {
			if v, ok := indexOf(arr, s.index); ok {
				return walk(steps, i+1, v, root, out)
			}
		}
	case stepNames:
		if i != len(steps)-1 {
			return out, &multiPropsError{at: normalizedPrefix(steps, i+1)}
		}
		if obj, ok := cur.(*jsonv.Object); ok {
			return append(out, mergeNames(obj, s.names)), nil
		}
	case stepIndexes:
		if arr, ok := cur.([]any); ok {
			for _, n := range s.indexes {
				if v, ok := indexOf(arr, n); ok {
					if out, err = walk(steps, i+1, v, root, out); err != nil {
						return out, err
					}
				}
			}
		}
	case stepWildcard:
		switch x := cur.(type) {
		case *jsonv.Object:
			for j := range x.Len() {
				_, v := x.At(j)
				if out, err = walk(steps, i+1, v, root, out); err != nil {
					return out, err
				}
			}
		case []any:
			for _, v := range x {
				if out, err = walk(steps, i+1, v, root, out); err != nil {
					return out, err
				}
			}
		}
	case stepSlice:
		if arr, ok := cur.([]any); ok {
			from, to := sliceBounds(s, len(arr))
			for j := from; j < to; j++ {
				if v, ok := indexOf(arr, j); ok {
					if out, err = walk(steps, i+1, v, root, out); err != nil {
						return out, err
					}
				}
			}
		}
	case stepFilter:
		switch x := cur.(type) {
		case *jsonv.Object:
			if s.filter.match(x, root) {
				return walk(steps, i+1, x, root, out)
			}
		case []any:
			if scan {
				break
			}
			for _, v := range x {
				// As AWS documents, @ matches objects only, never scalars.
				if obj, ok := v.(*jsonv.Object); ok && s.filter.match(obj, root) {
					if out, err = walk(steps, i+1, obj, root, out); err != nil {
						return out, err
					}
				}
			}
		}
	}
	return out, err
}

// descend is the deep scan "..": the step's selector applies to cur and to
// every value below it, in document order (Jayway's pre-order walk).
func descend(steps []step, i int, cur, root any, out []any) ([]any, error) {
	out, err := apply(steps, i, cur, root, out, true)
	if err != nil {
		return out, err
	}
	switch x := cur.(type) {
	case *jsonv.Object:
		for j := range x.Len() {
			_, v := x.At(j)
			if out, err = descend(steps, i, v, root, out); err != nil {
				return out, err
			}
		}
	case []any:
		for _, v := range x {
			if out, err = descend(steps, i, v, root, out); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// indexOf returns arr[n], counting from the end when n is negative.
func indexOf(arr []any, n int) (any, bool) {
	if n < 0 {
		n += len(arr)
	}
	if n < 0 || n >= len(arr) {
		return nil, false
	}
	return arr[n], true
}

// sliceBounds returns the range of positions a slice visits, following
// Jayway: [from:] and [:to] count negative bounds from the end; in
// [from:to] only 'to' is clamped and each position is then resolved like a
// single index (so a negative 'from' selects elements from the end first).
func sliceBounds(s *step, n int) (from, to int) {
	if n == 0 {
		return 0, 0
	}
	switch {
	case s.hasFrom && s.hasTo:
		return s.from, min(n, s.to)
	case s.hasFrom:
		from = s.from
		if from < 0 {
			from += n
		}
		return max(0, from), n
	case s.hasTo:
		to = s.to
		if to < 0 {
			to += n
		}
		return 0, min(n, to)
	}
	return 0, n
}
