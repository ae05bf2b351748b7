// Package recorded compares stepd's results with results recorded on real
// AWS (../shared/conformance/aws-recorded), in which the recorder replaced
// volatile values (ids, dates, account numbers, generated UUIDs) with
// placeholders.
package recorded

import (
	"regexp"
	"strings"

	"stepd/internal/jsonv"
)

// Redactions are the placeholders of one set of recordings.
type Redactions struct{ token *regexp.Regexp }

// NewRedactions returns the redactions whose placeholders pattern (a
// regular expression) matches. It panics if pattern does not compile: it is
// a constant of a test.
func NewRedactions(pattern string) Redactions {
	return Redactions{regexp.MustCompile(pattern)}
}

// Match compares an expected value, in which placeholders stand for any
// text, with an actual value. Objects compare regardless of key order; a
// member whose recorded value is its own key ("X-Amzn-Trace-Id":
// "X-Amzn-Trace-Id") matches any value, and a string holding a placeholder
// matches any value that is not a string (a redacted number or object).
func (r Redactions) Match(want, got any) bool {
	switch w := want.(type) {
	case string:
		g, isStr := got.(string)
		if isStr && g == w {
			return true
		}
		tokens := r.token.FindAllStringIndex(w, -1)
		if tokens == nil {
			return false
		}
		if !isStr {
			return true
		}
		return wildcard(w, tokens).MatchString(g)
	case *jsonv.Object:
		g, ok := got.(*jsonv.Object)
		if !ok || g.Len() != w.Len() {
			return false
		}
		for i := 0; i < w.Len(); i++ {
			k, wv := w.At(i)
			gv, ok := g.Get(k)
			if !ok {
				return false
			}
			if ws, isStr := wv.(string); isStr && ws == k {
				continue
			}
			if !r.Match(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !r.Match(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return jsonv.Equal(want, got)
}

// wildcard is the expression that matches w with each of its tokens (byte
// ranges) standing for any text.
func wildcard(w string, tokens [][]int) *regexp.Regexp {
	var sb strings.Builder
	sb.WriteString("(?s)^")
	at := 0
	for _, t := range tokens {
		sb.WriteString(regexp.QuoteMeta(w[at:t[0]]))
		sb.WriteString(".*")
		at = t[1]
	}
	sb.WriteString(regexp.QuoteMeta(w[at:]))
	sb.WriteString("$")
	return regexp.MustCompile(sb.String())
}
