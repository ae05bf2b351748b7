package asl

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"stepd/internal/jsonv"
)

// Severity is how serious a diagnostic is.
type Severity string

// The severities ValidateStateMachineDefinition reports.
const (
	SeverityError   Severity = "ERROR"
	SeverityWarning Severity = "WARNING"
)

// Diagnostic codes, as AWS's ValidateStateMachineDefinition names them
// (API reference, ValidateStateMachineDefinitionDiagnostic).
const (
	CodeInvalidJSON           = "INVALID_JSON_DESCRIPTION"
	CodeMissingDescription    = "MISSING_DESCRIPTION"
	CodeSchema                = "SCHEMA_VALIDATION_FAILED"
	CodeInvalidResource       = "INVALID_RESOURCE"
	CodeMissingEndState       = "MISSING_END_STATE"
	CodeDuplicateStateName    = "DUPLICATE_STATE_NAME"
	CodeInvalidStateName      = "INVALID_STATE_NAME"
	CodeDuplicateLabelName    = "DUPLICATE_LABEL_NAME"
	CodeInvalidLabelName      = "INVALID_LABEL_NAME"
	CodeMissingTransition     = "MISSING_TRANSITION_TARGET"
	CodeTooDeeplyNested       = "TOO_DEEPLY_NESTED"
	CodeInvalidJSONata        = "INVALID_JSONATA_EXPRESSION"
	CodeUnsupportedJSONata    = "UNSUPPORTED_JSONATA_EXPRESSION"
	CodeWarnNoDollar          = "NO_DOLLAR"
	CodeWarnNoPath            = "NO_PATH"
	CodeWarnPassResultStatic  = "PASS_RESULT_IS_STATIC"
	CodeWarnDuplicateJSONKeys = "DUPLICATE_KEYS"
)

// Diagnostic is one problem found in a definition. Location is a JSON pointer
// into the definition ("/States/A/Next", "/" for the root, "" when AWS gives
// none); Pos is where that node starts in the source text (zero when
// unknown).
type Diagnostic struct {
	Severity Severity  `json:"severity"`
	Code     string    `json:"code"`
	Message  string    `json:"message"`
	Location string    `json:"location,omitempty"`
	Pos      jsonv.Pos `json:"-"`
}

// String renders the diagnostic as AWS does inside an InvalidDefinition
// message: "CODE: message at /location".
func (d Diagnostic) String() string {
	loc := d.Location
	if loc == "" {
		loc = "null" // as AWS prints a diagnostic without a location
	}
	return d.Code + ": " + d.Message + " at " + loc
}

// Diagnostics is a list of diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns only the error diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == SeverityError {
			out = append(out, d)
		}
	}
	return out
}

// SortByPosition orders diagnostics by where they occur in the source, keeping
// the emission order for diagnostics at the same place.
func (ds Diagnostics) SortByPosition() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
}

// InvalidDefinitionMessage renders the errors the way CreateStateMachine does
// in its InvalidDefinition exception:
// "Invalid State Machine Definition: 'CODE: msg at /loc, CODE: msg at /loc'".
func (ds Diagnostics) InvalidDefinitionMessage() string {
	var parts []string
	for _, d := range ds.Errors() {
		parts = append(parts, d.String())
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

// Error makes a non-empty error list usable as a Go error.
func (ds Diagnostics) Error() string { return ds.InvalidDefinitionMessage() }

// collector accumulates diagnostics while a definition is checked.
type collector struct {
	list Diagnostics
	doc  *Document // where diagnostics find their line and column; nil: nowhere
}

func (c *collector) add(sev Severity, code string, at path, msg string) {
	d := Diagnostic{Severity: sev, Code: code, Message: msg, Location: at.location()}
	if at.aws == noLocation {
		d.Location = ""
	} else if c.doc != nil {
		np, _ := c.doc.Positions().Lookup(at.rfc)
		d.Pos = np.Key
	}
	c.list = append(c.list, d)
}

// errorf records an error diagnostic located at the given node.
func (c *collector) errorf(code string, at path, format string, args ...any) {
	c.add(SeverityError, code, at, fmt.Sprintf(format, args...))
}

// warnf records a warning diagnostic located at the given node.
func (c *collector) warnf(code string, at path, format string, args ...any) {
	c.add(SeverityWarning, code, at, fmt.Sprintf(format, args...))
}

// noLocation marks diagnostics that AWS reports without a location.
const noLocation = "\x00"

// nowhere is the location of diagnostics AWS reports without one.
var nowhere = path{aws: noLocation}

// Message helpers in the wording AWS's schema validation uses (measured
// against ValidateStateMachineDefinition; see the notes on each rule).

// typeError reports a value of the wrong JSON type.
func (c *collector) typeError(at path, types ...string) {
	c.errorf(CodeSchema, at, "Expected value of type [%s]", strings.Join(types, ", "))
}

// enumError reports a value outside its enumeration.
func (c *collector) enumError(at path, values ...string) {
	c.errorf(CodeSchema, at, "Value should be one of the following: [%s]", strings.Join(values, ", "))
}

// exclusive reports that several of mutually exclusive fields are present.
func (c *collector) exclusive(at path, fields ...string) {
	c.errorf(CodeSchema, at, "There should only be one of the following fields: [%s]", strings.Join(fields, ", "))
}

// oneRequired reports that none of fields, of which exactly one is needed,
// is present.
func (c *collector) oneRequired(at path, fields ...string) {
	c.errorf(CodeSchema, at, "This object should have only one of the following fields: [%s]", strings.Join(fields, ", "))
}

// required reports missing required fields.
func (c *collector) required(at path, fields ...string) {
	c.errorf(CodeSchema, at, "These fields are required: [%s]", strings.Join(fields, ", "))
}

// rangeError reports a number below its minimum or above its maximum.
func (c *collector) minimum(at path, min string) {
	c.errorf(CodeSchema, at, "Minimum value is %s", min)
}
func (c *collector) maximum(at path, max string) {
	c.errorf(CodeSchema, at, "Maximum value is %s", max)
}
