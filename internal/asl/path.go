package asl

import (
	"strconv"

	"stepd/internal/jsonv"
)

// path locates a node of the definition in two spellings: AWS's, used in
// diagnostics (/States/C/Choices[0]/Next), and RFC 6901, used to look up the
// node's position in the source (/States/C/Choices/0/Next).
type path struct {
	aws, rfc string
}

func (p path) key(k string) path {
	return path{aws: p.aws + "/" + k, rfc: p.rfc + "/" + jsonv.EscapePointer(k)}
}

func (p path) index(i int) path {
	s := strconv.Itoa(i)
	return path{aws: p.aws + "[" + s + "]", rfc: p.rfc + "/" + s}
}

// location is the AWS spelling; the root is "/".
func (p path) location() string {
	if p.aws == "" {
		return "/"
	}
	return p.aws
}
