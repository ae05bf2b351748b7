package asl

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"stepd/internal/jsonv"
)

// Document is a parsed definition: its value and where each node is in the
// source text.
type Document struct {
	Value any
	// src is the JSON text whose positions are found when first asked for:
	// a valid definition never needs them, and recording them costs as
	// much as the parse itself.
	src   []byte
	ndups int // how many keys of src repeat
	pos   jsonv.Positions
	dups  []jsonv.Duplicate
}

// Positions returns where each node of the document starts, keyed by JSON
// pointer.
func (d *Document) Positions() jsonv.Positions {
	if d.pos == nil && d.src != nil {
		_, d.pos, d.dups, _ = jsonv.ParseWithPositions(d.src)
	}
	return d.pos
}

// Duplicates returns the object keys that occur more than once, where the
// last value is used.
func (d *Document) Duplicates() []jsonv.Duplicate {
	if d.ndups > 0 {
		d.Positions()
	}
	return d.dups
}

// ParseJSON parses a JSON definition. An empty text or malformed JSON gives
// a nil document and one diagnostic that says where the text breaks (and
// mentions typographic quotes when the text contains any).
func ParseJSON(src []byte) (*Document, Diagnostics) {
	var c collector
	if len(bytes.TrimSpace(src)) == 0 {
		c.errorf(CodeSchema, nowhere, "Definition must be a valid JSON object")
		return nil, c.list
	}
	v, ndups, err := jsonv.ParseCountingDuplicates(src)
	if err != nil {
		var se *jsonv.SyntaxError
		if errors.As(err, &se) {
			msg := se.Msg
			if se.Hint != "" {
				msg += "; " + se.Hint
			}
			c.list = append(c.list, Diagnostic{
				Severity: SeverityError, Code: CodeInvalidJSON, Message: msg,
				Location: fmt.Sprintf("line: %d, column: %d", se.Line, se.Column),
				Pos:      jsonv.Pos{Line: se.Line, Column: se.Column, Offset: se.Offset},
			})
			return nil, c.list
		}
		c.errorf(CodeInvalidJSON, nowhere, "%v", err)
		return nil, c.list
	}
	return &Document{Value: v, src: src, ndups: ndups}, nil
}

// ParseYAML parses a YAML definition (as SAM and CDK users keep them) into the
// same document a JSON definition gives, with positions.
func ParseYAML(src []byte) (*Document, Diagnostics) {
	var c collector
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		line := 0
		msg := err.Error()
		// yaml.v3 errors read "yaml: line N: message".
		if rest, ok := strings.CutPrefix(msg, "yaml: line "); ok {
			if n, after, ok := strings.Cut(rest, ": "); ok {
				line, _ = strconv.Atoi(n)
				msg = after
			}
		}
		c.list = append(c.list, Diagnostic{Severity: SeverityError, Code: CodeInvalidJSON, Message: "invalid YAML: " + msg,
			Location: fmt.Sprintf("line: %d", line), Pos: jsonv.Pos{Line: line, Column: 1}})
		return nil, c.list
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		c.errorf(CodeSchema, nowhere, "Definition must be a valid JSON object")
		return nil, c.list
	}
	d := &Document{pos: jsonv.Positions{}}
	v, err := d.fromYAML(root.Content[0], "", 0)
	if err != nil {
		var ye *yamlError
		if errors.As(err, &ye) {
			c.list = append(c.list, Diagnostic{Severity: SeverityError, Code: CodeInvalidJSON, Message: ye.msg,
				Location: fmt.Sprintf("line: %d, column: %d", ye.pos.Line, ye.pos.Column), Pos: ye.pos})
			return nil, c.list
		}
		return nil, Diagnostics{{Severity: SeverityError, Code: CodeInvalidJSON, Message: err.Error()}}
	}
	d.Value = v
	return d, nil
}

type yamlError struct {
	pos jsonv.Pos
	msg string
}

func (e *yamlError) Error() string { return e.msg }

func yamlPos(n *yaml.Node) jsonv.Pos { return jsonv.Pos{Line: n.Line, Column: n.Column} }

func (d *Document) fromYAML(n *yaml.Node, pointer string, depth int) (any, error) {
	if depth > jsonv.MaxDepth {
		return nil, &yamlError{yamlPos(n), "YAML nested too deeply"}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		return d.fromYAML(n.Content[0], pointer, depth+1)
	case yaml.AliasNode:
		return d.fromYAML(n.Alias, pointer, depth+1)
	case yaml.MappingNode:
		obj := jsonv.NewObject(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, &yamlError{yamlPos(k), "YAML mapping keys must be plain strings"}
			}
			child := pointer + "/" + jsonv.EscapePointer(k.Value)
			if obj.Has(k.Value) {
				d.dups = append(d.dups, jsonv.Duplicate{Pointer: child, Pos: yamlPos(k)})
			} else {
				d.pos[child] = jsonv.NodePos{Key: yamlPos(k), Value: yamlPos(v)}
			}
			val, err := d.fromYAML(v, child, depth+1)
			if err != nil {
				return nil, err
			}
			obj.Set(k.Value, val)
		}
		if pointer == "" {
			d.pos[""] = jsonv.NodePos{Key: yamlPos(n), Value: yamlPos(n)}
		}
		return obj, nil
	case yaml.SequenceNode:
		arr := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			child := pointer + "/" + strconv.Itoa(i)
			d.pos[child] = jsonv.NodePos{Key: yamlPos(e), Value: yamlPos(e)}
			val, err := d.fromYAML(e, child, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, val)
		}
		return arr, nil
	case yaml.ScalarNode:
		return yamlScalar(n)
	}
	return nil, &yamlError{yamlPos(n), "unsupported YAML node"}
}

func yamlScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &yamlError{yamlPos(n), err.Error()}
		}
		return b, nil
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, &yamlError{yamlPos(n), err.Error()}
			}
			return f, nil
		}
		return i, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &yamlError{yamlPos(n), err.Error()}
		}
		return f, nil
	}
	return nil, &yamlError{yamlPos(n), fmt.Sprintf("the YAML tag %s is not supported here: a state machine definition holds plain JSON values (CloudFormation functions such as !Sub belong to the template, not to the definition)", n.Tag)}
}
