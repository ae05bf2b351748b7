package intrinsic

import (
	"math"
	"sort"
	"strconv"

	"stepd/internal/jsonv"
)

// maxRange is the most items States.ArrayRange may produce.
const maxRange = 1000

// arrayPartition is States.ArrayPartition: chunks of the given size (rounded
// to the nearest integer), the last one possibly shorter.
func (c *Call) arrayPartition(args []any) (any, error) {
	arr, err := c.array(args, 0)
	if err != nil {
		return nil, err
	}
	size, err := c.integer(args, 1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, c.failf("the chunk size must be a positive integer, but it is %s", jsonText(args[1]))
	}
	n := int64(len(arr))
	out := make([]any, 0, (n+size-1)/size)
	for i := int64(0); i < n; i += size {
		j := min(i+size, n)
		out = append(out, arr[i:j:j])
	}
	return out, nil
}

// arrayContains is States.ArrayContains, with deep equality.
func (c *Call) arrayContains(args []any) (any, error) {
	arr, err := c.array(args, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range arr {
		if jsonv.Equal(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

// arrayRange is States.ArrayRange: start, start+step, ... up to and
// including end; arguments are rounded to integers; at most 1000 items.
func (c *Call) arrayRange(args []any) (any, error) {
	var v [3]int64
	for i := range v {
		n, err := c.integer(args, i)
		if err != nil {
			return nil, err
		}
		v[i] = n
	}
	start, end, step := v[0], v[1], v[2]
	if step == 0 {
		return nil, c.failf("the step must not be 0")
	}
	if (step > 0 && start > end) || (step < 0 && start < end) {
		return []any{}, nil
	}
	count := (end-start)/step + 1
	if count > maxRange {
		return nil, c.failf("the range would hold %d items; at most %d are allowed", count, maxRange)
	}
	out := make([]any, count)
	for i := range out {
		out[i] = start + int64(i)*step
	}
	return out, nil
}

// arrayGetItem is States.ArrayGetItem with a 0-based index.
func (c *Call) arrayGetItem(args []any) (any, error) {
	arr, err := c.array(args, 0)
	if err != nil {
		return nil, err
	}
	f, err := c.number(args, 1)
	if err != nil {
		return nil, err
	}
	if f != math.Trunc(f) {
		return nil, c.failf("the index must be an integer, but it is %s", jsonText(args[1]))
	}
	if f < 0 || f >= float64(len(arr)) {
		return nil, c.failf("the index %s is out of range for an array of %d item(s)", jsonText(args[1]), len(arr))
	}
	return arr[int(f)], nil
}

// uniqueQuadratic is the array size up to which ArrayUnique compares pairs
// instead of hashing canonical forms.
const uniqueQuadratic = 32

// arrayUnique is States.ArrayUnique: the first of each group of deeply
// equal values, in order.
func (c *Call) arrayUnique(args []any) (any, error) {
	arr, err := c.array(args, 0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(arr))
	if len(arr) <= uniqueQuadratic {
	outer:
		for _, e := range arr {
			for _, o := range out {
				if jsonv.Equal(e, o) {
					continue outer
				}
			}
			out = append(out, e)
		}
		return out, nil
	}
	seen := make(map[string]struct{}, len(arr))
	var buf []byte
	for _, e := range arr {
		buf = appendCanonical(buf[:0], e)
		if _, dup := seen[string(buf)]; dup {
			continue
		}
		seen[string(buf)] = struct{}{}
		out = append(out, e)
	}
	return out, nil
}

// appendCanonical appends a text that is the same for two values exactly
// when jsonv.Equal holds: object keys sorted, integral numbers written as
// integers.
func appendCanonical(dst []byte, v any) []byte {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return strconv.AppendInt(dst, int64(x), 10)
		}
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCanonical(dst, e)
		}
		return append(dst, ']')
	case *jsonv.Object:
		keys := append([]string(nil), x.Keys()...)
		sort.Strings(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonv.AppendString(dst, k)
			dst = append(dst, ':')
			e, _ := x.Get(k)
			dst = appendCanonical(dst, e)
		}
		return append(dst, '}')
	}
	return jsonv.Append(dst, v)
}
