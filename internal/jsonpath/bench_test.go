package jsonpath_test

import (
	"testing"

	"stepd/internal/jsonpath"
)

const benchDoc = `{"a":{"b":[{"c":"hello","d":1}],"x":2},"store":{"book":[
 {"title":"A","price":8.95},{"title":"B","price":12.99},{"title":"C","price":8.99},{"title":"D","price":22.99}]}}`

func benchGet(b *testing.B, path string) {
	doc := mustParse(b, benchDoc)
	p := jsonpath.MustCompile(path)
	if _, err := p.Get(doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := p.Get(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetDefinite is the hot path: a compiled definite path.
func BenchmarkGetDefinite(b *testing.B) { benchGet(b, "$.a.b[0].c") }

// BenchmarkGetFilter evaluates a filter over an array of objects.
func BenchmarkGetFilter(b *testing.B) { benchGet(b, "$.store.book[?(@.price < 10)].title") }

// BenchmarkGetDeepScan walks the whole document.
func BenchmarkGetDeepScan(b *testing.B) { benchGet(b, "$..price") }

// BenchmarkGetDefiniteParallel shares one compiled path between goroutines.
func BenchmarkGetDefiniteParallel(b *testing.B) {
	doc := mustParse(b, benchDoc)
	p := jsonpath.MustCompile("$.a.b[0].c")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := p.Get(doc); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jsonpath.Compile("$.store.book[?(@.price < 10 && @.title =~ /[A-C]/)].title"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	doc := mustParse(b, benchDoc)
	p, err := jsonpath.CompileReference("$.a.result")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Set(doc, "r"); err != nil {
			b.Fatal(err)
		}
	}
}
