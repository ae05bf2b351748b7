package intrinsic

import (
	"sort"

	"stepd/internal/jsonv"
)

// jsonMerge is States.JsonMerge in its only mode, shallow: the second
// object's keys replace the first's, nested objects are not merged.
//
// AWS returns the merged keys in the order of a java.util.HashMap, not in
// insertion order: merging {"a","b","d"} with {"a","c","d"} gives a, b, c, d
// (intrinsic_functions TestJsonManipulation test_json_merge, recorded
// against AWS). The result here follows HashMap's iteration order.
func (c *Call) jsonMerge(args []any) (any, error) {
	a, err := c.object(args, 0)
	if err != nil {
		return nil, err
	}
	b, err := c.object(args, 1)
	if err != nil {
		return nil, err
	}
	deep, ok := args[2].(bool)
	if !ok {
		return nil, c.wrongType(args, 2, kindBool)
	}
	if deep {
		return nil, c.failf("only the shallow merging mode is supported: the third argument must be false")
	}
	merged := a.Clone()
	for i := range b.Len() {
		k, v := b.At(i)
		merged.Set(k, v)
	}
	return inHashMapOrder(merged), nil
}

// inHashMapOrder returns o with its keys in the order a java.util.HashMap
// filled with them in o's order would iterate: by bucket, then by insertion
// within a bucket. The table has the default initial capacity, 16, doubled
// whenever the entries exceed three quarters of it.
func inHashMapOrder(o *jsonv.Object) *jsonv.Object {
	n := o.Len()
	capacity := 16
	for n > capacity*3/4 {
		capacity *= 2
	}
	idx := make([]int, n)
	bucket := make([]int, n)
	for i := range n {
		k, _ := o.At(i)
		h := javaStringHash(k)
		h ^= int32(uint32(h) >> 16)
		idx[i] = i
		bucket[i] = int(h) & (capacity - 1)
	}
	sort.SliceStable(idx, func(x, y int) bool { return bucket[idx[x]] < bucket[idx[y]] })
	out := jsonv.NewObject(n)
	for _, i := range idx {
		k, v := o.At(i)
		out.Set(k, v)
	}
	return out
}

// javaStringHash is Java's String.hashCode: s[0]*31^(n-1) + ... over the
// UTF-16 code units, in 32-bit arithmetic.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r > 0xFFFF {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
