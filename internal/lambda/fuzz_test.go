package lambda

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFunctionRef(t *testing.T) {
	cases := []struct {
		in                               string
		name, qualifier, region, account string
		bad                              bool
	}{
		{in: "f", name: "f"},
		{in: "my-fn_1:$LATEST", name: "my-fn_1", qualifier: "$LATEST"},
		{in: "123456789012:function:f", name: "f", account: "123456789012"},
		{in: "123456789012:function:f:prod", name: "f", qualifier: "prod", account: "123456789012"},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:f", name: "f", region: "us-east-1", account: "123456789012"},
		{in: "arn:aws:lambda:eu-west-1:123456789012:function:f:7", name: "f", qualifier: "7", region: "eu-west-1", account: "123456789012"},
		{in: "", bad: true},
		{in: "f:", bad: true},
		{in: "a b", bad: true},
		{in: "arn:aws:s3:::bucket", bad: true},
		{in: "arn:aws:lambda:us-east-1:123456789012:function:", bad: true},
		{in: strings.Repeat("x", 65), bad: true},
		{in: "a:b:c:d:e", bad: true},
	}
	for _, c := range cases {
		ref, err := parseFunctionRef(c.in)
		if c.bad {
			var e *APIError
			if !errors.As(err, &e) || e.Code != "ValidationException" {
				t.Errorf("%q: want ValidationException, got %+v %v", c.in, ref, err)
			}
			continue
		}
		if err != nil || ref.name != c.name || ref.qualifier != c.qualifier || ref.region != c.region || ref.account != c.account {
			t.Errorf("%q: got %+v %v", c.in, ref, err)
		}
	}
}

// FuzzParseFunctionRef: any FunctionName is parsed or refused with a
// ValidationException; a parsed name is always a valid bare name.
func FuzzParseFunctionRef(f *testing.F) {
	for _, s := range []string{"f", "f:$LATEST", "123456789012:function:f:1", "arn:aws:lambda:us-east-1:123456789012:function:f", ":::", "arn:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := parseFunctionRef(s)
		if err != nil {
			var e *APIError
			if !errors.As(err, &e) || e.Code != "ValidationException" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if validateName(ref.name) != nil {
			t.Fatalf("%q parsed to invalid name %q", s, ref.name)
		}
	})
}

// FuzzUnzip: any upload either unpacks inside the target directory or is
// refused with InvalidParameterValueException; nothing escapes the
// directory.
func FuzzUnzip(f *testing.F) {
	f.Add(zipOf(f, map[string]string{"app.py": "x", "pkg/mod.py": "y", "bootstrap": "#!/bin/sh\n"}))
	var evil bytes.Buffer
	zw := zip.NewWriter(&evil)
	w, _ := zw.Create("../escape.txt")
	_, _ = w.Write([]byte("x"))
	_ = zw.Close()
	f.Add(evil.Bytes())
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		dir := filepath.Join(root, "code")
		err := unzip(data, dir)
		if err != nil {
			var e *APIError
			if !errors.As(err, &e) || e.Code != "InvalidParameterValueException" {
				t.Fatalf("unexpected error kind: %v", err)
			}
		}
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if e.Name() != "code" {
				t.Fatalf("an entry escaped the code directory: %s", e.Name())
			}
		}
	})
}
