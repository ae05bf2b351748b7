package intrinsic

import (
	"math"
)

// mathAdd is States.MathAdd: each argument is rounded as Java's Math.round
// does (half up) and must then fit a 32-bit signed integer, as must the sum
// (aws-semantics.md §2: MathAdd(1.49, 1.50) = 3, MathAdd(-1.49, -1.50) = -2).
func (c *Call) mathAdd(args []any) (any, error) {
	var sum int64
	for i := range 2 {
		n, err := c.integer(args, i)
		if err != nil {
			return nil, err
		}
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, c.failf("argument %d (%s) is outside the range -2147483648 to 2147483647", i+1, jsonText(args[i]))
		}
		sum += n
	}
	if sum < math.MinInt32 || sum > math.MaxInt32 {
		return nil, c.failf("the sum %d is outside the range -2147483648 to 2147483647", sum)
	}
	return sum, nil
}

// mathRandom is States.MathRandom: an integer from start (inclusive) to end
// (exclusive), both rounded. Without a seed it draws from env.Rand(); with
// one it uses java.util.Random seeded with it, so the same seed always gives
// the same number.
func (c *Call) mathRandom(args []any, env Env) (any, error) {
	start, err := c.integer(args, 0)
	if err != nil {
		return nil, err
	}
	end, err := c.integer(args, 1)
	if err != nil {
		return nil, err
	}
	for i, n := range [2]int64{start, end} {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, c.failf("argument %d (%s) is outside the range -2147483648 to 2147483647", i+1, jsonText(args[i]))
		}
	}
	if start >= end {
		return nil, c.failf("the start (%d) must be less than the end (%d)", start, end)
	}
	span := end - start
	if len(args) < 3 {
		return start + env.Rand().Int64N(span), nil
	}
	seed, err := c.integer(args, 2)
	if err != nil {
		return nil, err
	}
	if span > math.MaxInt32 {
		// java.util.Random.nextInt takes an int bound; use nextLong's
		// 64 bits for wider spans.
		r := newJavaRandom(seed)
		return start + int64(uint64(r.nextLong())%uint64(span)), nil
	}
	return start + int64(newJavaRandom(seed).nextInt(int32(span))), nil
}

// javaRandom is java.util.Random: the 48-bit linear congruential generator
// whose constants and algorithms the Java SE API specification defines.
type javaRandom struct{ seed int64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaAddend     = 0xB
	javaMask       = 1<<48 - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

// next returns the next 'bits' random bits, as Random.next does.
func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + javaAddend) & javaMask
	return int32(uint64(r.seed) >> (48 - bits))
}

// nextInt returns a value in [0, bound), as Random.nextInt(int) does.
func (r *javaRandom) nextInt(bound int32) int32 {
	v := r.next(31)
	m := bound - 1
	if bound&m == 0 {
		return int32((int64(bound) * int64(v)) >> 31)
	}
	for u := v; ; u = r.next(31) {
		v = u % bound
		if u-v+m >= 0 { // int32 overflow means the draw must be rejected
			return v
		}
	}
}

// nextLong is Random.nextLong.
func (r *javaRandom) nextLong() int64 {
	hi := int64(r.next(32))
	lo := int64(r.next(32))
	return hi<<32 + lo
}
