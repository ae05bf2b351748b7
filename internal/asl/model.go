package asl

import (
	"stepd/internal/intrinsic"
	"stepd/internal/jsonpath"
)

// QueryLanguage is the language a state's dynamic fields are written in.
type QueryLanguage uint8

// The query languages.
const (
	JSONPath QueryLanguage = iota
	JSONata
)

func (q QueryLanguage) String() string {
	if q == JSONata {
		return "JSONata"
	}
	return "JSONPath"
}

// StateType is a state's "Type".
type StateType uint8

// The state types.
const (
	TypePass StateType = iota + 1
	TypeTask
	TypeChoice
	TypeWait
	TypeSucceed
	TypeFail
	TypeParallel
	TypeMap
)

var stateTypeNames = map[string]StateType{
	"Pass": TypePass, "Task": TypeTask, "Choice": TypeChoice, "Wait": TypeWait,
	"Succeed": TypeSucceed, "Fail": TypeFail, "Parallel": TypeParallel, "Map": TypeMap,
}

func (t StateType) String() string {
	for k, v := range stateTypeNames {
		if v == t {
			return k
		}
	}
	return "Unknown"
}

// Machine is a compiled state machine, or one branch of a Parallel state, or
// the item processor of a Map state. It is immutable once compiled and safe
// for concurrent use by any number of executions.
type Machine struct {
	Comment        string
	StartAt        string
	Start          *State
	States         []*State // in definition order; State.Index is the position here
	ByName         map[string]*State
	TimeoutSeconds int64 // 0: none (top level only)
	Version        string
	QueryLanguage  QueryLanguage
	Location       string // JSON pointer of this machine's object ("" at top level)
	Parent         *State // the Parallel or Map state that holds this machine, nil at top level
	Depth          int    // 0 at top level
}

// State returns the state called name in this machine, or nil.
func (m *Machine) State(name string) *State { return m.ByName[name] }

// Walk calls fn for every state of m and of every nested branch and
// processor, depth first, in definition order.
func (m *Machine) Walk(fn func(*State)) {
	for _, s := range m.States {
		fn(s)
		for _, b := range s.Branches {
			b.Walk(fn)
		}
		if s.Processor != nil {
			s.Processor.Walk(fn)
		}
	}
}

// State is one compiled state. Fields that do not apply to its Type or query
// language are zero.
type State struct {
	Name          string
	Type          StateType
	Comment       string
	QueryLanguage QueryLanguage
	Location      string // JSON pointer, e.g. /States/Call API
	Machine       *Machine
	Index         int

	Next      string
	NextState *State
	End       bool

	// JSONPath data flow. Nil paths mean the default "$"; the *Null flags
	// mean the field was JSON null.
	InputPath      *jsonpath.Path
	InputPathNull  bool
	OutputPath     *jsonpath.Path
	OutputPathNull bool
	Parameters     *Template
	ResultSelector *Template
	ResultPath     *jsonpath.Path
	ResultPathNull bool

	// JSONata data flow.
	Arguments *Template
	Output    *Template

	Assign *Template
	Retry  []*Retrier
	Catch  []*Catcher

	// Pass
	Result    any
	HasResult bool

	// Task
	Resource    string
	Res         Resource // Resource, parsed
	Timeout     Dyn      // TimeoutSeconds / TimeoutSecondsPath
	Heartbeat   Dyn      // HeartbeatSeconds / HeartbeatSecondsPath
	Credentials *Template

	// Choice
	Choices      []*ChoiceRule
	Default      string
	DefaultState *State

	// Wait: exactly one of these is set.
	Seconds   Dyn // Seconds / SecondsPath
	Timestamp Dyn // Timestamp / TimestampPath

	// Fail
	Error Dyn // Error / ErrorPath
	Cause Dyn // Cause / CausePath

	// Parallel
	Branches []*Machine

	// Map
	Processor                  *Machine
	ProcessorMode              string // INLINE or DISTRIBUTED
	ExecutionType              string // STANDARD or EXPRESS (distributed)
	ItemsPath                  *jsonpath.Path
	Items                      *Template // JSONata Items
	ItemSelector               *Template // ItemSelector or the legacy Parameters
	MaxConcurrency             Dyn
	ToleratedFailureCount      Dyn
	ToleratedFailurePercentage Dyn
	ItemBatcher                *ItemBatcher
	ItemReader                 *ItemReader
	ResultWriter               *ResultWriter
	Label                      string

	// VariableReferences are the workflow variables the state's own fields
	// read, sorted, each once; nil when none (see Machine.VariableReferences).
	VariableReferences []string
}

// IsTerminal reports whether the state ends its machine (End, Succeed, Fail).
func (s *State) IsTerminal() bool { return s.End || s.Type == TypeSucceed || s.Type == TypeFail }

// Dyn is a field value that is either fixed in the definition or computed per
// execution from a JSONPath, an intrinsic function or a JSONata template.
type Dyn struct {
	Set     bool
	Literal any             // when fixed
	Path    *jsonpath.Path  // a *Path field
	Call    *intrinsic.Call // ErrorPath/CausePath may hold an intrinsic
	Expr    *Template       // JSONata
	Field   string          // the field name the value came from, for error messages
}

// IsStatic reports whether the value is known at compile time.
func (d Dyn) IsStatic() bool { return d.Set && d.Path == nil && d.Call == nil && d.Expr == nil }

// Retrier is one entry of a Retry array.
type Retrier struct {
	ErrorEquals     []string
	IntervalSeconds int64   // default 1
	MaxAttempts     int64   // default 3
	BackoffRate     float64 // default 2.0
	MaxDelaySeconds int64   // 0: no cap
	JitterFull      bool
	Comment         string
}

// Catcher is one entry of a Catch array.
type Catcher struct {
	ErrorEquals []string
	Next        string
	NextState   *State
	ResultPath  *jsonpath.Path
	ResultNull  bool
	Output      *Template
	Assign      *Template
	Comment     string
}

// ItemBatcher groups Map items into batches.
type ItemBatcher struct {
	MaxItemsPerBatch      Dyn
	MaxInputBytesPerBatch Dyn
	BatchInput            *Template
}

// ItemReader reads a distributed Map's items from a resource.
type ItemReader struct {
	Resource     string
	ReaderConfig any
	Parameters   *Template
}

// ResultWriter writes a distributed Map's results to a resource.
type ResultWriter struct {
	Resource     string
	WriterConfig any
	Parameters   *Template
}
