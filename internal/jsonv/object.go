package jsonv

// indexThreshold is the number of keys from which an Object keeps a
// key-to-position map; below it a linear scan is faster.
const indexThreshold = 12

// Object is a JSON object that keeps its keys in insertion order, as AWS Step
// Functions does when it echoes data back. The zero value is an empty object.
//
// Object implements the Keyed interface of github.com/ohler55/ojg/jp, so
// JSONPath expressions evaluate against it directly.
type Object struct {
	keys  []string
	vals  []any
	index map[string]int
}

// NewObject returns an empty object with room for n keys.
func NewObject(n int) *Object {
	return &Object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

// ObjectOf builds an object from alternating key, value arguments. It panics
// if a key is not a string; it is meant for literals in code and tests.
func ObjectOf(kv ...any) *Object {
	o := NewObject(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// Len returns the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// Keys returns the keys in order. The caller must not modify the slice.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// At returns the i-th key and value.
func (o *Object) At(i int) (string, any) { return o.keys[i], o.vals[i] }

func (o *Object) find(key string) int {
	if o == nil {
		return -1
	}
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range o.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// Get returns the value for key and whether the key is present.
func (o *Object) Get(key string) (any, bool) {
	if i := o.find(key); i >= 0 {
		return o.vals[i], true
	}
	return nil, false
}

// Has reports whether key is present.
func (o *Object) Has(key string) bool { return o.find(key) >= 0 }

// Set sets key to v, keeping the key's position when it already exists and
// appending it otherwise.
func (o *Object) Set(key string, v any) {
	if i := o.find(key); i >= 0 {
		o.vals[i] = v
		return
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[key] = len(o.keys) - 1
	} else if len(o.keys) > indexThreshold {
		o.index = make(map[string]int, len(o.keys)*2)
		for i, k := range o.keys {
			o.index[k] = i
		}
	}
}

// Delete removes key if present.
func (o *Object) Delete(key string) {
	i := o.find(key)
	if i < 0 {
		return
	}
	o.keys = append(o.keys[:i], o.keys[i+1:]...)
	o.vals = append(o.vals[:i], o.vals[i+1:]...)
	if o.index != nil {
		delete(o.index, key)
		for j := i; j < len(o.keys); j++ {
			o.index[o.keys[j]] = j
		}
	}
}

// Clone returns a shallow copy: a new key list whose values are shared.
func (o *Object) Clone() *Object {
	if o == nil {
		return NewObject(0)
	}
	c := &Object{keys: make([]string, len(o.keys), len(o.keys)+1), vals: make([]any, len(o.vals), len(o.vals)+1)}
	copy(c.keys, o.keys)
	copy(c.vals, o.vals)
	if o.index != nil {
		c.index = make(map[string]int, len(o.index)+1)
		for k, v := range o.index {
			c.index[k] = v
		}
	}
	return c
}

// With returns a shallow copy of o with key set to v; o is unchanged.
func (o *Object) With(key string, v any) *Object {
	c := o.Clone()
	c.Set(key, v)
	return c
}

// ValueForKey implements jp.Keyed.
func (o *Object) ValueForKey(key string) (any, bool) { return o.Get(key) }

// SetValueForKey implements jp.Keyed.
func (o *Object) SetValueForKey(key string, v any) { o.Set(key, v) }

// RemoveValueForKey implements jp.Keyed.
func (o *Object) RemoveValueForKey(key string) { o.Delete(key) }

// MarshalJSON encodes the object with its keys in order.
func (o *Object) MarshalJSON() ([]byte, error) { return Append(nil, o), nil }

// UnmarshalJSON decodes a JSON object, keeping key order.
func (o *Object) UnmarshalJSON(b []byte) error {
	v, err := Parse(b)
	if err != nil {
		return err
	}
	obj, ok := v.(*Object)
	if !ok {
		return &SyntaxError{Msg: "expected a JSON object", Line: 1, Column: 1}
	}
	*o = *obj
	return nil
}
