package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zipEntry is one entry of an ordered test archive: a name ending in "/" is
// a directory.
type zipEntry struct{ name, body string }

// zipOrdered builds a zip archive whose entries keep the given order (zipOf
// takes a map, so its order is random).
func zipOrdered(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if strings.HasSuffix(e.name, "/") {
			h.SetMode(os.ModeDir | 0o755)
		} else {
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUnreadableZips: an archive stepd cannot unpack (conflicting entries,
// entries escaping the code directory) is the caller's error, worded as AWS
// words it, for CreateFunction and UpdateFunctionCode alike; it names no
// server path, and a rejected CreateFunction leaves nothing in the data
// directory.
func TestUnreadableZips(t *testing.T) {
	b := newTestService(t, Options{})
	ctx := context.Background()
	app := zipEntry{"app.py", "def handler(e, c):\n    return 1\n"}
	if _, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: "existing", Runtime: "python3.12", Role: testRole,
		Handler: "app.handler", Code: FunctionCode{ZipFile: zipOrdered(t, app)}}); err != nil {
		t.Fatal(err)
	}
	const msg = "Could not unzip uploaded file. Please check your file, then try to upload again."
	cases := []struct {
		name    string
		entries []zipEntry
	}{
		{"file then a file beneath it", []zipEntry{app, {"a", "x"}, {"a/b", "y"}}},
		{"file then a directory of the same name", []zipEntry{app, {"a", "x"}, {"a/", ""}}},
		{"directory then a file of the same name", []zipEntry{app, {"sub/", ""}, {"sub", "x"}}},
		{"file named like the code directory", []zipEntry{app, {"./", ""}, {".", "x"}}},
		{"parent traversal", []zipEntry{app, {"../x", "x"}}},
		{"traversal inside a path", []zipEntry{app, {"a/../../x", "x"}}},
		{"absolute path", []zipEntry{app, {"/etc/x", "x"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := zipOrdered(t, c.entries...)
			_, err := b.svc.CreateFunction(ctx, &CreateFunctionInput{FunctionName: "rejected", Runtime: "python3.12", Role: testRole,
				Handler: "app.handler", Code: FunctionCode{ZipFile: data}})
			if e := apiErr(t, err); e.Code != "InvalidParameterValueException" || e.Status != 400 || e.Message != msg || e.Type != "User" {
				t.Errorf("CreateFunction: got %s %d %q (%s)", e.Code, e.Status, e.Message, e.Type)
			}
			if _, err := os.Stat(filepath.Join(b.dir, "functions", "rejected")); !os.IsNotExist(err) {
				t.Errorf("a rejected CreateFunction left its directory: %v", err)
			}
			if _, err := b.svc.GetFunctionConfiguration(ctx, "rejected", ""); apiErr(t, err).Code != "ResourceNotFoundException" {
				t.Errorf("a rejected CreateFunction registered the function: %v", err)
			}

			before, err := b.svc.GetFunctionConfiguration(ctx, "existing", "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.svc.UpdateFunctionCode(ctx, &UpdateFunctionCodeInput{FunctionName: "existing", FunctionCode: FunctionCode{ZipFile: data}})
			if e := apiErr(t, err); e.Code != "InvalidParameterValueException" || e.Status != 400 || e.Message != msg {
				t.Errorf("UpdateFunctionCode: got %s %d %q", e.Code, e.Status, e.Message)
			}
			after, err := b.svc.GetFunctionConfiguration(ctx, "existing", "")
			if err != nil {
				t.Fatal(err)
			}
			if after.CodeSha256 != before.CodeSha256 || after.RevisionID != before.RevisionID {
				t.Errorf("a rejected UpdateFunctionCode changed the function: %+v", after)
			}
			revs, _ := os.ReadDir(filepath.Join(b.dir, "functions", "existing", "code"))
			if len(revs) != 2 { // the current revision and its zip
				t.Errorf("a rejected UpdateFunctionCode left code behind: %d entries", len(revs))
			}
		})
	}
}

// TestCodeStorageFailure: a failure to store code that is not the archive's
// fault is a ServiceException that does not name the server's paths.
func TestCodeStorageFailure(t *testing.T) {
	b := newTestService(t, Options{})
	// A file where the function's directory must go: stepd cannot make it.
	if err := os.MkdirAll(filepath.Join(b.dir, "functions"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "functions", "blocked"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := b.svc.CreateFunction(context.Background(), &CreateFunctionInput{FunctionName: "blocked", Runtime: "python3.12", Role: testRole,
		Handler: "app.handler", Code: FunctionCode{ZipFile: zipOrdered(t, zipEntry{"app.py", "x = 1\n"})}})
	e := apiErr(t, err)
	if e.Code != "ServiceException" || e.Status != 500 || e.Message != "Could not store the code of function blocked." || e.Type != "Service" {
		t.Errorf("got %s %d %q (%s)", e.Code, e.Status, e.Message, e.Type)
	}
}
