package jsonpath

import (
	"strconv"
	"strings"
)

// stepKind says what one step of a path selects.
type stepKind uint8

const (
	stepName     stepKind = iota // .name or ['name']
	stepIndex                    // [n]
	stepNames                    // ['a','b']
	stepIndexes                  // [0,2]
	stepWildcard                 // .* or [*]
	stepSlice                    // [from:to]
	stepFilter                   // [?(...)]
)

// step is one parsed step of a path.
type step struct {
	kind    stepKind
	descent bool // preceded by "..": applied at every level below
	name    string
	index   int
	names   []string
	indexes []int
	// slice bounds; hasFrom / hasTo say whether they were given.
	from, to       int
	hasFrom, hasTo bool
	filter         *filterExpr
}

// appendNormalized writes the step the way Jayway prints a compiled path.
func (s *step) appendNormalized(b *strings.Builder) {
	if s.descent {
		b.WriteString("..")
	}
	switch s.kind {
	case stepName:
		b.WriteString("['")
		b.WriteString(s.name)
		b.WriteString("']")
	case stepIndex:
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(s.index))
		b.WriteByte(']')
	case stepNames:
		b.WriteByte('[')
		for i, n := range s.names {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('\'')
			b.WriteString(n)
			b.WriteByte('\'')
		}
		b.WriteByte(']')
	case stepIndexes:
		b.WriteByte('[')
		for i, n := range s.indexes {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(n))
		}
		b.WriteByte(']')
	case stepWildcard:
		b.WriteString("[*]")
	case stepSlice:
		b.WriteByte('[')
		if s.hasFrom {
			b.WriteString(strconv.Itoa(s.from))
		}
		b.WriteByte(':')
		if s.hasTo {
			b.WriteString(strconv.Itoa(s.to))
		}
		b.WriteByte(']')
	case stepFilter:
		b.WriteString("[?]")
	}
}

// normalizedPrefix renders "$" followed by steps[:n] in normalized form.
func normalizedPrefix(steps []step, n int) string {
	var b strings.Builder
	b.WriteByte('$')
	for i := 0; i < n && i < len(steps); i++ {
		steps[i].appendNormalized(&b)
	}
	return b.String()
}
