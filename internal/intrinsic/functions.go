package intrinsic

// fnID identifies one of the intrinsic functions.
type fnID uint8

const (
	fnFormat fnID = iota
	fnStringToJSON
	fnJSONToString
	fnArray
	fnArrayPartition
	fnArrayContains
	fnArrayRange
	fnArrayGetItem
	fnArrayLength
	fnArrayUnique
	fnBase64Encode
	fnBase64Decode
	fnHash
	fnJSONMerge
	fnMathRandom
	fnMathAdd
	fnStringSplit
	fnUUID
)

// kind is the JSON type an argument must have or a function returns.
type kind uint8

const (
	kindAny kind = iota
	kindString
	kindNumber
	kindBool
	kindArray
	kindObject
)

func (k kind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindArray:
		return "an array"
	case kindObject:
		return "an object"
	}
	return "any value"
}

// signature describes one function: its argument kinds (the last repeats
// when variadic), how many arguments it takes and what it returns.
type signature struct {
	name     string
	params   []kind
	min, max int // max < 0: no upper bound
	returns  kind
	// pathOnly marks functions whose argument must not be a literal.
	pathOnly bool
}

var signatures = [...]signature{
	fnFormat:         {name: "States.Format", params: []kind{kindString, kindAny}, min: 1, max: -1, returns: kindString},
	fnStringToJSON:   {name: "States.StringToJson", params: []kind{kindString}, min: 1, max: 1, returns: kindAny},
	fnJSONToString:   {name: "States.JsonToString", params: []kind{kindAny}, min: 1, max: 1, returns: kindString, pathOnly: true},
	fnArray:          {name: "States.Array", params: []kind{kindAny}, min: 0, max: -1, returns: kindArray},
	fnArrayPartition: {name: "States.ArrayPartition", params: []kind{kindArray, kindNumber}, min: 2, max: 2, returns: kindArray},
	fnArrayContains:  {name: "States.ArrayContains", params: []kind{kindArray, kindAny}, min: 2, max: 2, returns: kindBool},
	fnArrayRange:     {name: "States.ArrayRange", params: []kind{kindNumber, kindNumber, kindNumber}, min: 3, max: 3, returns: kindArray},
	fnArrayGetItem:   {name: "States.ArrayGetItem", params: []kind{kindArray, kindNumber}, min: 2, max: 2, returns: kindAny},
	fnArrayLength:    {name: "States.ArrayLength", params: []kind{kindArray}, min: 1, max: 1, returns: kindNumber},
	fnArrayUnique:    {name: "States.ArrayUnique", params: []kind{kindArray}, min: 1, max: 1, returns: kindArray},
	fnBase64Encode:   {name: "States.Base64Encode", params: []kind{kindString}, min: 1, max: 1, returns: kindString},
	fnBase64Decode:   {name: "States.Base64Decode", params: []kind{kindString}, min: 1, max: 1, returns: kindString},
	fnHash:           {name: "States.Hash", params: []kind{kindAny, kindString}, min: 2, max: 2, returns: kindString},
	fnJSONMerge:      {name: "States.JsonMerge", params: []kind{kindObject, kindObject, kindBool}, min: 3, max: 3, returns: kindObject},
	fnMathRandom:     {name: "States.MathRandom", params: []kind{kindNumber, kindNumber, kindNumber}, min: 2, max: 3, returns: kindNumber},
	fnMathAdd:        {name: "States.MathAdd", params: []kind{kindNumber, kindNumber}, min: 2, max: 2, returns: kindNumber},
	fnStringSplit:    {name: "States.StringSplit", params: []kind{kindString, kindString}, min: 2, max: 2, returns: kindArray},
	fnUUID:           {name: "States.UUID", params: nil, min: 0, max: 0, returns: kindString},
}

// byName maps each function name to its id.
var byName = func() map[string]fnID {
	m := make(map[string]fnID, len(signatures))
	for id, s := range signatures {
		m[s.name] = fnID(id)
	}
	return m
}()

// Names returns the names of all intrinsic functions, in the order the
// Step Functions documentation lists them.
func Names() []string {
	out := make([]string, len(signatures))
	for i, s := range signatures {
		out[i] = s.name
	}
	return out
}

// param returns the kind of the i-th argument.
func (s *signature) param(i int) kind {
	if len(s.params) == 0 {
		return kindAny
	}
	if i >= len(s.params) {
		return s.params[len(s.params)-1]
	}
	return s.params[i]
}

// kindOf returns the kind of a JSON value.
func kindOf(v any) kind {
	switch v.(type) {
	case string:
		return kindString
	case int64, float64:
		return kindNumber
	case bool:
		return kindBool
	case []any:
		return kindArray
	case nil:
		return kindAny
	}
	return kindObject
}

// describe names a value's type for messages: "the string 'x'", "null".
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "the string '" + x + "'"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64, float64:
		return "the number " + jsonText(x)
	case []any:
		return "an array"
	}
	return "an object"
}
