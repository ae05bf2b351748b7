// Package console serves stepd's web console: plain HTML, CSS and
// JavaScript embedded in the binary, with a vendored copy of
// @dagrejs/dagre for laying out the workflow graph. There is no build
// step and nothing is fetched from the network at run time.
//
// The console has no server-side API of its own: the page calls, from the
// browser and on the same origin, the same Step Functions (AWS JSON 1.0 on
// "POST /"), Lambda (REST under /2015-03-31/) and CloudWatch Logs APIs
// that the AWS CLI uses.
//
// [Register] mounts it on a router: the page at "GET /" (so "POST /"
// stays the AWS JSON API) and its files under "GET /console/".
package console

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var files embed.FS

// Static returns the console's files (index.html, app.js, graph.js,
// style.css, vendor/...), rooted at the static directory.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}

// Mux is what the console registers itself on: api.Router and
// http.ServeMux both have this method.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Register mounts the console on mux: the page at "GET /{$}" and the
// files at "GET /console/". Both patterns are GET only (HEAD included),
// so a "POST /" with an X-Amz-Target header still reaches the API.
func Register(mux Mux) {
	h := Handler()
	mux.Handle("GET /{$}", h)
	mux.Handle("GET /console/", h)
}

// Handler returns the console's HTTP handler. It answers GET and HEAD:
// "/", "/console" and "/console/" with the page, "/console/<file>" with
// that file, anything else with 404.
func Handler() http.Handler {
	return &handler{fsys: Static(), started: time.Now()}
}

type handler struct {
	fsys    fs.FS
	started time.Time
}

// securityHeaders lets the page load only its own files and talk only to
// its own origin, so the console works offline and cannot be framed.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
		"img-src 'self' data:; connect-src 'self'; font-src 'none'; object-src 'none'; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	// The files change with the binary; let the browser revalidate.
	h.Set("Cache-Control", "no-cache")
}

func (c *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := "index.html"
	switch p := r.URL.Path; {
	case p == "/" || p == "/console" || p == "/console/":
	case strings.HasPrefix(p, "/console/"):
		name = path.Clean(strings.TrimPrefix(p, "/console/"))
	default:
		http.NotFound(w, r)
		return
	}
	if !fs.ValidPath(name) || strings.HasSuffix(name, "/") {
		http.NotFound(w, r)
		return
	}
	data, err := fs.ReadFile(c.fsys, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	securityHeaders(w.Header())
	if ct := contentType(name); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	// Embedded files have no modification time; the server's start time
	// stands in for it so conditional requests work.
	http.ServeContent(w, r, name, c.started, bytes.NewReader(data))
}

// contentType names the types of the console's own files, so they do not
// depend on the machine's MIME tables.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".md", ".LICENSE":
		return "text/plain; charset=utf-8"
	}
	return ""
}
