package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strings"
	"unicode/utf8"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

// maxChars is the longest input, in characters, that States.Base64Encode,
// States.Base64Decode and States.Hash accept.
const maxChars = 10000

// format is States.Format: the template with each {} replaced by the next
// value. Strings are inserted as they are; other values as Java's toString
// renders them (null, 1.5, {a=1, b=[x, y]}).
func (c *Call) format(args []any) (any, error) {
	parts := c.parts
	if parts == nil {
		t, err := c.str(args, 0)
		if err != nil {
			return nil, err
		}
		parts = strings.Split(t, "{}")
		if len(parts)-1 != len(args)-1 {
			return nil, c.failf("the template has %d {} placeholder(s) but %d value(s) follow it", len(parts)-1, len(args)-1)
		}
	}
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	for _, v := range args[1:] {
		if s, ok := v.(string); ok {
			size += len(s)
		} else {
			size += 16
		}
	}
	var b strings.Builder
	b.Grow(size)
	var scratch [64]byte
	for i, p := range parts {
		b.WriteString(p)
		if i+1 < len(parts) {
			if s, ok := args[i+1].(string); ok {
				b.WriteString(s)
			} else {
				b.Write(jsonpath.AppendJava(scratch[:0], args[i+1]))
			}
		}
	}
	return b.String(), nil
}

// stringToJSON is States.StringToJson. Empty or blank text gives null, as
// AWS does.
func (c *Call) stringToJSON(args []any) (any, error) {
	s, err := c.str(args, 0)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := jsonv.ParseString(s)
	if err != nil {
		return nil, c.failf("the string is not valid JSON: %v", err)
	}
	return v, nil
}

// stringSplit is States.StringSplit: every character of the second argument
// separates tokens, and empty tokens are dropped (java.util.StringTokenizer).
func (c *Call) stringSplit(args []any) (any, error) {
	s, err := c.str(args, 0)
	if err != nil {
		return nil, err
	}
	seps, err := c.str(args, 1)
	if err != nil {
		return nil, err
	}
	out := []any{}
	start := -1
	for i, r := range s {
		if strings.ContainsRune(seps, r) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out, nil
}

// javaLength is the length of s in UTF-16 code units, as Java counts
// characters.
func javaLength(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

func (c *Call) limitedString(args []any, i int) (string, error) {
	s, err := c.str(args, i)
	if err != nil {
		return "", err
	}
	if n := javaLength(s); n > maxChars {
		return "", c.failf("the input is %d characters long; at most %d are allowed", n, maxChars)
	}
	return s, nil
}

// base64Encode is States.Base64Encode: the UTF-8 bytes of the string in
// standard Base64 with padding.
func (c *Call) base64Encode(args []any) (any, error) {
	s, err := c.limitedString(args, 0)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// base64Decode is States.Base64Decode. As a MIME decoder does, it ignores
// characters outside the Base64 alphabet (such as line breaks); padding is
// optional. Bytes that are not UTF-8 become U+FFFD.
func (c *Call) base64Decode(args []any) (any, error) {
	s, err := c.limitedString(args, 0)
	if err != nil {
		return nil, err
	}
	clean := strings.Map(func(r rune) rune {
		if r == '+' || r == '/' || r == '=' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
	enc := base64.RawStdEncoding
	if strings.HasSuffix(clean, "=") {
		enc = base64.StdEncoding
	}
	b, err := enc.DecodeString(clean)
	if err != nil {
		return nil, c.failf("the input is not valid Base64: %v", err)
	}
	if !utf8.Valid(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	return string(b), nil
}

// hash is States.Hash: the lowercase hex digest of the data's text (a
// string as it is, any other value as its JSON text).
func (c *Call) hash(args []any) (any, error) {
	data, ok := args[0].(string)
	if !ok {
		data = jsonText(args[0])
	}
	if n := javaLength(data); n > maxChars {
		return nil, c.failf("the input is %d characters long; at most %d are allowed", n, maxChars)
	}
	alg, err := c.str(args, 1)
	if err != nil {
		return nil, err
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, c.failf("unsupported hash algorithm '%s': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512", alg)
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}
