package jsonata

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// RegexpMatchLimit bounds one regular-expression match that goja hands to
// regexp2 (patterns RE2 cannot run, such as those with lookaheads or
// backreferences, which may backtrack exponentially). A VM interrupt cannot
// stop such a match, so without this bound an abandoned VM could spin for
// ever and keep its pool slot. goja treats a match that hits the bound as no
// match; that cannot change a result, because the bound is far above the
// default time limit and any evaluation that long has already been stopped.
// Engines configured with a longer time limit (or none) should not rely on
// regular expressions that run this long.
const RegexpMatchLimit = 10 * time.Second

func init() {
	// regexp2 reads this when a pattern is compiled; goja is its only user
	// in stepd.
	regexp2.DefaultMatchTimeout = RegexpMatchLimit
}
