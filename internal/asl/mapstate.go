package asl

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"stepd/internal/jsonv"
)

// Map processor modes and child execution types.
const (
	ModeInline      = "INLINE"
	ModeDistributed = "DISTRIBUTED"
)

// labelForbidden are the characters a Map Label may not contain, besides
// whitespace and control characters (AWS: Map Run labels and names).
const labelForbidden = "?*<>{}[]:;,\\|^~$#%&`\""

func (c *compiler) mapState(s *State, obj *jsonv.Object, at path) {
	pv, hasProc := obj.Get("ItemProcessor")
	iv, hasIter := obj.Get("Iterator")
	procKey := "ItemProcessor"
	switch {
	case hasProc && hasIter:
		c.exclusive(at, "ItemProcessor", "Iterator")
	case !hasProc && !hasIter:
		c.oneRequired(at, "ItemProcessor", "Iterator")
	case hasIter:
		pv, procKey = iv, "Iterator"
	}
	s.ProcessorMode = ModeInline
	if pv != nil {
		pat := at.key(procKey)
		po, ok := pv.(*jsonv.Object)
		if !ok {
			c.typeError(pat, "OBJECT")
		} else {
			c.processorConfig(s, po, pat)
			s.Processor = c.machine(po, pat, s, c.rootQL(s.Machine), s.Machine.Depth+1)
		}
	}
	if s.QueryLanguage == JSONPath {
		if v, ok := obj.Get("ItemsPath"); ok {
			if str, isStr := v.(string); isStr {
				s.ItemsPath = c.compilePath(str, at.key("ItemsPath"), "ItemsPath", false)
			} else {
				c.typeError(at.key("ItemsPath"), "STRING")
			}
		}
	} else if v, ok := obj.Get("Items"); ok {
		switch x := v.(type) {
		case []any:
			s.Items = c.jsonataTemplate(x, at.key("Items"), "Items")
		case string:
			if !IsJSONataExpression(x) {
				c.typeError(at.key("Items"), "ARRAY", "JSONATA_EXPRESSION")
			}
			s.Items = c.jsonataTemplate(x, at.key("Items"), "Items")
		default:
			c.typeError(at.key("Items"), "ARRAY", "JSONATA_EXPRESSION")
		}
	}
	if v, ok := obj.Get("ItemSelector"); ok {
		if s.ItemSelector != nil {
			c.exclusive(at, "ItemSelector", "Parameters")
		}
		if s.QueryLanguage == JSONata {
			s.ItemSelector = c.jsonataTemplate(v, at.key("ItemSelector"), "ItemSelector")
		} else {
			s.ItemSelector = c.jsonPathTemplate(v, at.key("ItemSelector"))
		}
	}
	s.MaxConcurrency = c.seconds(s, obj, at, "MaxConcurrency", false)
	s.ToleratedFailureCount = c.seconds(s, obj, at, "ToleratedFailureCount", false)
	s.ToleratedFailurePercentage = c.percentage(s, obj, at)
	if v, ok := obj.Get("ItemBatcher"); ok {
		s.ItemBatcher = c.itemBatcher(s, v, at.key("ItemBatcher"))
	}
	if v, ok := obj.Get("ItemReader"); ok {
		s.ItemReader = c.itemReader(s, v, at.key("ItemReader"))
	}
	if v, ok := obj.Get("ResultWriter"); ok {
		s.ResultWriter = c.resultWriter(s, v, at.key("ResultWriter"))
	}
	if v, ok := obj.Get("Label"); ok {
		c.label(s, v, at.key("Label"))
	}
}

func (c *compiler) processorConfig(s *State, po *jsonv.Object, pat path) {
	cv, ok := po.Get("ProcessorConfig")
	if !ok {
		return
	}
	cat := pat.key("ProcessorConfig")
	co, ok := cv.(*jsonv.Object)
	if !ok {
		c.typeError(cat, "OBJECT")
		return
	}
	c.unknownFields(co, cat, procConfigFields)
	if mode, ok := c.str(co, cat, "Mode"); ok {
		if mode != ModeInline && mode != ModeDistributed {
			c.enumError(cat.key("Mode"), ModeInline, ModeDistributed)
		} else {
			s.ProcessorMode = mode
		}
	}
	if et, ok := c.str(co, cat, "ExecutionType"); ok {
		if et != TypeStandard && et != TypeExpress {
			c.enumError(cat.key("ExecutionType"), TypeStandard, TypeExpress)
		}
		s.ExecutionType = et
	}
	if s.ProcessorMode == ModeDistributed && s.ExecutionType == "" {
		c.required(cat, "ExecutionType")
	}
}

func (c *compiler) percentage(s *State, obj *jsonv.Object, at path) Dyn {
	const name = "ToleratedFailurePercentage"
	v, ok := obj.Get(name)
	if !ok {
		return c.seconds(s, obj, at, name, false)
	}
	if str, isStr := v.(string); isStr && s.QueryLanguage == JSONata && IsJSONataExpression(str) {
		return Dyn{Set: true, Field: name, Expr: c.jsonataTemplate(str, at.key(name), name)}
	}
	switch f, isNum := jsonv.AsFloat(v); {
	case !isNum:
		c.typeError(at.key(name), "NUMBER")
	case f < 0:
		c.minimum(at.key(name), "0.0")
	case f > 100:
		c.maximum(at.key(name), "100.0")
	}
	if obj.Has(name + "Path") {
		c.exclusive(at, name, name+"Path")
	}
	return Dyn{Set: true, Field: name, Literal: v}
}

func (c *compiler) itemBatcher(s *State, v any, at path) *ItemBatcher {
	o, ok := v.(*jsonv.Object)
	if !ok {
		c.typeError(at, "OBJECT")
		return nil
	}
	c.unknownFields(o, at, itemBatcherFields)
	b := &ItemBatcher{
		MaxItemsPerBatch:      c.seconds(s, o, at, "MaxItemsPerBatch", true),
		MaxInputBytesPerBatch: c.seconds(s, o, at, "MaxInputBytesPerBatch", true),
	}
	if !b.MaxItemsPerBatch.Set && !b.MaxInputBytesPerBatch.Set && !o.Has("BatchInput") {
		c.oneRequired(at, "MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
	}
	if bi, ok := o.Get("BatchInput"); ok {
		if s.QueryLanguage == JSONata {
			b.BatchInput = c.jsonataTemplate(bi, at.key("BatchInput"), "ItemBatcher/BatchInput")
		} else {
			b.BatchInput = c.jsonPathTemplate(bi, at.key("BatchInput"))
		}
	}
	return b
}

func (c *compiler) itemReader(s *State, v any, at path) *ItemReader {
	o, ok := v.(*jsonv.Object)
	if !ok {
		c.typeError(at, "OBJECT")
		return nil
	}
	c.unknownFields(o, at, itemReaderFields)
	r := &ItemReader{}
	if !o.Has("Resource") {
		c.required(at, "Resource")
	}
	r.Resource, _ = c.str(o, at, "Resource")
	r.ReaderConfig, _ = o.Get("ReaderConfig")
	c.readerConfigReferences(s, r.ReaderConfig)
	r.Parameters = c.readerParams(s, o, at)
	return r
}

func (c *compiler) resultWriter(s *State, v any, at path) *ResultWriter {
	o, ok := v.(*jsonv.Object)
	if !ok {
		c.typeError(at, "OBJECT")
		return nil
	}
	c.unknownFields(o, at, resultWriterFields)
	w := &ResultWriter{}
	w.Resource, _ = c.str(o, at, "Resource")
	w.WriterConfig, _ = o.Get("WriterConfig")
	w.Parameters = c.readerParams(s, o, at)
	return w
}

// readerParams compiles the Parameters (JSONPath) or Arguments (JSONata) of
// an ItemReader or ResultWriter.
func (c *compiler) readerParams(s *State, o *jsonv.Object, at path) *Template {
	if s.QueryLanguage == JSONata {
		if v, ok := o.Get("Arguments"); ok {
			return c.jsonataTemplate(v, at.key("Arguments"), "Arguments")
		}
		return nil
	}
	if v, ok := o.Get("Parameters"); ok {
		return c.jsonPathTemplate(v, at.key("Parameters"))
	}
	return nil
}

// label checks a Map Run label (1-40 characters, none of the forbidden ones).
func (c *compiler) label(s *State, v any, at path) {
	str, ok := v.(string)
	if !ok {
		c.typeError(at, "STRING")
		return
	}
	s.Label = str
	switch n := utf8.RuneCountInString(str); {
	case n == 0:
		c.errorf(CodeInvalidLabelName, at, "Label cannot be empty")
		return
	case n > MaxLabelLength:
		c.errorf(CodeInvalidLabelName, at, "Label cannot exceed %d characters", MaxLabelLength)
		return
	}
	for _, r := range str {
		if unicode.IsSpace(r) || r < 0x20 || (r >= 0x7f && r <= 0x9f) || containsRune(labelForbidden, r) {
			c.errorf(CodeInvalidLabelName, at, "Label contains invalid character: %s", quoteRune(r))
			return
		}
	}
}

func containsRune(s string, r rune) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

func quoteRune(r rune) string {
	if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
		return fmt.Sprintf("'\\x%02x'", r)
	}
	return fmt.Sprintf("'%c'", r)
}
