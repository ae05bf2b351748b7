package jsonata

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"

	"github.com/dop251/goja"
	"github.com/google/uuid"

	"stepd/internal/jsonv"
)

// installNatives defines the globals runtime.js and jsonata.js expect before
// they run: window (btoa/atob for $base64encode/$base64decode) and __stepd
// (callbacks and settings for the glue).
func (v *vm) installNatives(cfg *config) error {
	rt := v.rt
	window := rt.NewObject()
	if err := window.Set("btoa", func(call goja.FunctionCall) goja.Value {
		s, _ := call.Argument(0).ToString().(goja.String)
		return rt.ToValue(latin1ToBase64(s))
	}); err != nil {
		return err
	}
	if err := window.Set("atob", func(call goja.FunctionCall) goja.Value {
		return goja.StringFromUTF16(base64ToLatin1(call.Argument(0).String()))
	}); err != nil {
		return err
	}
	if err := rt.Set("window", window); err != nil {
		return err
	}

	src := cfg.rand
	natives := map[string]any{
		"cacheSize":      cfg.cacheSize,
		"maxDepth":       cfg.maxDepth,
		"maxRange":       MaxRange,
		"maxResultDepth": cfg.resultDepth,
		"refuseEval":     !cfg.plainEval,
		"compiled": func(goja.FunctionCall) goja.Value {
			v.out = outcome{kind: outcomeCompiled}
			return goja.Undefined()
		},
		"result": func(call goja.FunctionCall) goja.Value {
			v.out = outcome{kind: outcomeValue, text: call.Argument(0).String()}
			return goja.Undefined()
		},
		"undefinedResult": func(goja.FunctionCall) goja.Value {
			v.out = outcome{kind: outcomeUndefined}
			return goja.Undefined()
		},
		"unsupportedResult": func(goja.FunctionCall) goja.Value {
			v.out = outcome{kind: outcomeFailed, err: ErrUnsupportedResult}
			return goja.Undefined()
		},
		"fail": func(call goja.FunctionCall) goja.Value {
			e := &Error{
				Code:     call.Argument(0).String(),
				Message:  call.Argument(1).String(),
				Position: int(call.Argument(2).ToInteger()),
				Token:    call.Argument(3).String(),
			}
			if val := call.Argument(4); !goja.IsUndefined(val) {
				// The value is informational; text jsonv cannot parse
				// (e.g. nested deeper than it allows) is left out.
				if parsed, err := jsonv.ParseString(val.String()); err == nil {
					e.Value = parsed
				}
			}
			v.out = outcome{kind: outcomeFailed, err: e}
			return goja.Undefined()
		},
		"hash": func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(hexDigest(call.Argument(1).String(), call.Argument(0).String()))
		},
		"uuid": func(goja.FunctionCall) goja.Value {
			return rt.ToValue(newUUID(src))
		},
		"random": func(goja.FunctionCall) goja.Value {
			return rt.ToValue(unitFloat(src.Uint64()))
		},
		"seededRandom": func(call goja.FunctionCall) goja.Value {
			return rt.ToValue(seededFloat(call.Argument(0).ToFloat()))
		},
	}
	obj := rt.NewObject()
	for name, fn := range natives {
		if err := obj.Set(name, fn); err != nil {
			return err
		}
	}
	return rt.Set("__stepd", obj)
}

// latin1ToBase64 is window.btoa as jsonata.js sees it on Node.js, where it
// calls Buffer.from(str, 'binary').toString('base64'): each UTF-16 code unit
// contributes its low byte.
func latin1ToBase64(s goja.String) string {
	if s == nil {
		return ""
	}
	n := s.Length()
	b := make([]byte, n)
	for i := range n {
		b[i] = byte(s.CharAt(i))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// base64ToLatin1 is window.atob as jsonata.js sees it on Node.js, where it
// calls Buffer.from(str, 'base64').toString('binary'): characters outside
// the standard and URL-safe alphabets are skipped, decoding stops at the
// first '=', a dangling sixth of a byte is dropped, and each byte becomes
// one UTF-16 code unit.
func base64ToLatin1(s string) []uint16 {
	out := make([]uint16, 0, len(s)*3/4)
	var acc uint32
	bits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d uint32
		switch {
		case c >= 'A' && c <= 'Z':
			d = uint32(c - 'A')
		case c >= 'a' && c <= 'z':
			d = uint32(c-'a') + 26
		case c >= '0' && c <= '9':
			d = uint32(c-'0') + 52
		case c == '+' || c == '-':
			d = 62
		case c == '/' || c == '_':
			d = 63
		case c == '=':
			return out
		default:
			continue
		}
		acc = acc<<6 | d
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, uint16(acc>>uint(bits)&0xFF))
		}
	}
	return out
}

// hexDigest returns the lower-case hex digest of s's UTF-8 bytes; algorithm
// has been checked by runtime.js.
func hexDigest(algorithm, s string) string {
	var h hash.Hash
	switch algorithm {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

// newUUID returns a random (version 4) UUID drawn from src.
func newUUID(src rand.Source) string {
	var b uuid.UUID
	binary.LittleEndian.PutUint64(b[0:8], src.Uint64())
	binary.LittleEndian.PutUint64(b[8:16], src.Uint64())
	b[6] = b[6]&0x0F | 0x40 // version 4
	b[8] = b[8]&0x3F | 0x80 // RFC 4122 variant
	return b.String()
}

// unitFloat maps 64 random bits to a float64 in [0, 1).
func unitFloat(x uint64) float64 {
	return float64(x>>11) / (1 << 53)
}

// seededFloat is $random(seed): the seed is rounded down, and the same seed
// always gives the same number in [0, 1).
func seededFloat(seed float64) float64 {
	s := math.Floor(seed)
	var k uint64
	switch {
	case s >= math.MaxInt64:
		k = math.MaxInt64
	case s <= math.MinInt64:
		k = 1 << 63
	default:
		k = uint64(int64(s))
	}
	return unitFloat(rand.NewPCG(k, 0x9E3779B97F4A7C15).Uint64())
}
