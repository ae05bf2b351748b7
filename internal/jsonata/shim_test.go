package jsonata

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os/exec"
	"slices"
	"testing"

	"github.com/dop251/goja"
)

// On Node.js, jsonata.js implements $base64encode with
// Buffer.from(str, 'binary').toString('base64') and $base64decode with
// Buffer.from(str, 'base64').toString('binary'). The expected values below
// were produced by Node.js 20.
func TestBase64Shim(t *testing.T) {
	t.Parallel()
	encode := []struct {
		in   string
		want string
	}{
		{"abc", "YWJj"},
		{"", ""},
		{"é", "6Q=="},
		{"✓", "Ew=="},
		{"😀", "PQA="},
		{"\u00ff\u0100", "/wA="},
	}
	for _, tc := range encode {
		if got := latin1ToBase64(goja.StringFromUTF16(utf16Units(tc.in))); got != tc.want {
			t.Errorf("btoa(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	decode := []struct {
		in   string
		want []uint16
	}{
		{"YWJj", []uint16{'a', 'b', 'c'}},
		{"YWJ", []uint16{'a', 'b'}},
		{"YW", []uint16{'a'}},
		{"Y", nil},
		{"YWJj\n ZA==", []uint16{'a', 'b', 'c', 'd'}},
		{"YW$Jj", []uint16{'a', 'b', 'c'}},
		{"YW=Jj", []uint16{'a'}},
		{"-_-_", []uint16{0xfb, 0xff, 0xbf}},
		{"YQ==YQ==", []uint16{'a'}},
		{"=YQ", nil},
		{"w6k=", []uint16{0xc3, 0xa9}},
		{"8J+Ygw==", []uint16{0xf0, 0x9f, 0x98, 0x83}},
		{"", nil},
	}
	for _, tc := range decode {
		if got := base64ToLatin1(tc.in); !slices.Equal(got, tc.want) && len(got)+len(tc.want) > 0 {
			t.Errorf("atob(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// TestBase64ShimMatchesNode compares the shim with Node.js's Buffer on
// random inputs, when node is installed (scripts/test-deps.sh installs it).
func TestBase64ShimMatchesNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the shim is still checked against recorded Node.js output by TestBase64Shim")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ $\n.é"
	type sample struct {
		Units []uint16 `json:"units"` // for btoa
		Text  string   `json:"text"`  // for atob
	}
	samples := make([]sample, 300)
	for i := range samples {
		units := make([]uint16, rng.IntN(12))
		for j := range units {
			units[j] = uint16(rng.IntN(0x300)) // Latin-1 and beyond
		}
		runes := []rune(alphabet)
		text := make([]rune, rng.IntN(16))
		for j := range text {
			text[j] = runes[rng.IntN(len(runes))]
		}
		samples[i] = sample{Units: units, Text: string(text)}
	}
	in, err := json.Marshal(samples)
	if err != nil {
		t.Fatal(err)
	}
	const script = `
let data = '';
process.stdin.on('data', c => data += c);
process.stdin.on('end', () => {
  const out = JSON.parse(data).map(s => {
    const str = String.fromCharCode(...s.units);
    const dec = Buffer.from(s.text, 'base64').toString('binary');
    return {b64: Buffer.from(str, 'binary').toString('base64'),
            dec: Array.from(dec, c => c.charCodeAt(0))};
  });
  process.stdout.write(JSON.stringify(out));
});`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	outText, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var want []struct {
		B64 string   `json:"b64"`
		Dec []uint16 `json:"dec"`
	}
	if err := json.Unmarshal(outText, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range samples {
		if got := latin1ToBase64(goja.StringFromUTF16(s.Units)); got != want[i].B64 {
			t.Errorf("btoa(%v) = %q, node says %q", s.Units, got, want[i].B64)
		}
		if got := base64ToLatin1(s.Text); !slices.Equal(got, want[i].Dec) && len(got)+len(want[i].Dec) > 0 {
			t.Errorf("atob(%q) = %v, node says %v", s.Text, got, want[i].Dec)
		}
	}
}
