package console_test

import (
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"stepd/internal/console"
	"stepd/internal/server"
	"stepd/internal/server/servertest"
)

// startServer runs a stepd server (memory store) until the test ends.
func startServer(t *testing.T) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Store: "memory"})
	if err != nil {
		t.Fatal(err)
	}
	servertest.Run(t, srv)
	return srv
}

func get(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// TestServedByStepd checks the console on a real server: the page at "/",
// its files under /console/, the API still on "POST /", and nothing else.
func TestServedByStepd(t *testing.T) {
	srv := startServer(t)
	base := srv.URL()

	resp, body := get(t, "GET", base+"/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body, `<script type="module" src="/console/app.js">`) {
		t.Fatalf("GET / = %d %q: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for path, ctype := range map[string]string{
		"/console/":                    "text/html",
		"/console/app.js":              "text/javascript",
		"/console/graph.js":            "text/javascript",
		"/console/style.css":           "text/css",
		"/console/vendor/dagre.min.js": "text/javascript",
	} {
		resp, body := get(t, "GET", base+path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || len(body) == 0 {
			t.Errorf("GET %s = %d %q (%d bytes)", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	if resp, body := get(t, "HEAD", base+"/console/app.js"); resp.StatusCode != 200 || body != "" || resp.ContentLength <= 0 {
		t.Errorf("HEAD /console/app.js = %d, length %d, body %q", resp.StatusCode, resp.ContentLength, body)
	}
	for _, path := range []string{"/console/nope.js", "/console/vendor/", "/console/../console.go", "/console/%2e%2e/console.go", "/index.html"} {
		if resp, _ := get(t, "GET", base+path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := get(t, "DELETE", base+"/console/app.js"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /console/app.js = %d, want 405", resp.StatusCode)
	}

	// POST / is still the AWS JSON API.
	req, _ := http.NewRequest("POST", base+"/", strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(b), `"stateMachines"`) {
		t.Errorf("POST / ListStateMachines = %d %s", r.StatusCode, b)
	}
}

// TestRegister mounts the console on a plain ServeMux.
func TestRegister(t *testing.T) {
	mux := http.NewServeMux()
	console.Register(mux)
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "api") })
	for _, c := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/", 200, "<title>stepd console</title>"},
		{"POST", "/", 200, "api"},
		{"GET", "/console/graph.js", 200, "export function analyze"},
		{"GET", "/other", 404, ""},
	} {
		req, _ := http.NewRequest(c.method, c.path, nil)
		w := &recorder{header: http.Header{}}
		mux.ServeHTTP(w, req)
		if w.status != c.status || !strings.Contains(w.body.String(), c.body) {
			t.Errorf("%s %s = %d %.80q", c.method, c.path, w.status, w.body.String())
		}
	}
}

type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(s int) { r.status = s }

// TestStaticFiles checks the embedded files: the vendored dagre and its
// licence are there, and no page loads anything from another origin.
func TestStaticFiles(t *testing.T) {
	fsys := console.Static()
	dagre, err := fs.ReadFile(fsys, "vendor/dagre.min.js")
	if err != nil || !strings.Contains(string(dagre[:200]), "var dagre=") {
		t.Fatalf("vendor/dagre.min.js: %v %.80q", err, dagre)
	}
	for _, name := range []string{"vendor/dagre.LICENSE", "vendor/graphlib.LICENSE", "vendor/README.md"} {
		if _, err := fs.Stat(fsys, name); err != nil {
			t.Error(err)
		}
	}
	err = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, "vendor/") {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "fonts.g"} {
			for _, line := range strings.Split(string(data), "\n") {
				if strings.Contains(line, bad) && !strings.Contains(line, "http://www.w3.org/2000/svg") {
					t.Errorf("%s refers to another origin: %s", path, strings.TrimSpace(line))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
