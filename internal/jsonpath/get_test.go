package jsonpath_test

import (
	"errors"
	"testing"

	"stepd/internal/jsonpath"
	"stepd/internal/jsonv"
)

const storeJSON = `{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10,
  "nul": null,
  "flag": false,
  "nums": [1, 2.5, -3, 4],
  "weird key": {"ü ñ": "unicode", "it's": "quote"},
  "nested": {"a": {"b": [{"c": 1}, {"c": 2, "d": {"c": 3}}]}},
  "str": "text",
  "big": 3000000000,
  "empty": [],
  "mixed": [{"n": 1}, {"n": 1.0}, {"n": "1"}, {"n": [1, 2]}, {"n": {"k": true}}, {"n": null}, {"m": 0}, 7, "s", [1]]
}`

func mustParse(tb testing.TB, s string) any {
	tb.Helper()
	v, err := jsonv.ParseString(s)
	if err != nil {
		tb.Fatalf("bad JSON %q: %v", s, err)
	}
	return v
}

// getCases is shared by TestGet and the benchmarks. want is the result as
// JSON text; err, when set, the exact error text.
func getCases() []struct{ path, want, err string } {
	return []struct{ path, want, err string }{
		{path: "$", want: ""}, // the whole document, checked by identity
		{path: "$.expensive", want: `10`},
		{path: "$.nul", want: `null`}, // a null value is a present value (aws-semantics.md §1.3)
		{path: "$.flag", want: `false`},
		{path: "$.store.book[0].title", want: `"Sayings of the Century"`},
		{path: "$.store.book[-1].title", want: `"The Lord of the Rings"`},
		{path: "$['weird key']['ü ñ']", want: `"unicode"`},
		{path: `$["weird key"]["it's"]`, want: `"quote"`},
		{path: `$['weird key']['it\'s']`, err: `Invalid path '$['weird key']['it\'s']' : No results for path: $['weird key']['it\'s']`}, // the backslash stays in the name
		{path: "$.['weird key'].['ü ñ']", want: `"unicode"`},                                                                            // the AWS docs write $.abc.['def ghi']
		{path: "$.store.bicycle['color','price']", want: `{"color":"red","price":19.95}`},
		{path: "$.store.bicycle['color','none']", want: `{"color":"red"}`},
		{path: "$.store.book[*].author", want: `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`},
		{path: "$.store.*.color", want: `["red"]`},
		{path: "$.nested.a.b[*].c", want: `[1,2]`},
		{path: "$..price", want: `[8.95,12.99,8.99,22.99,19.95]`},
		{path: "$.nested..c", want: `[1,2,3]`},
		{path: "$..b[1].c", want: `[2]`},
		{path: "$.nested..[0]", want: `[{"c":1}]`},
		{path: "$.nested.a.b..*", want: `[{"c":1},{"c":2,"d":{"c":3}},1,2,{"c":3},3]`},
		{path: "$.store.book[0,2].title", want: `["Sayings of the Century","Moby Dick"]`},
		{path: "$.store.book[2,0,9].title", want: `["Moby Dick","Sayings of the Century"]`},
		{path: "$.store.book[1:3].title", want: `["Sword of Honour","Moby Dick"]`},
		{path: "$.store.book[-2:].title", want: `["Moby Dick","The Lord of the Rings"]`},
		{path: "$.store.book[:2].title", want: `["Sayings of the Century","Sword of Honour"]`},
		{path: "$.store.book[:-3].title", want: `["Sayings of the Century"]`},
		{path: "$.store.book[2:99].title", want: `["Moby Dick","The Lord of the Rings"]`},
		{path: "$.store.book[-1:2].title", want: `["The Lord of the Rings","Sayings of the Century","Sword of Honour"]`}, // Jayway resolves each position like an index
		{path: "$.store.book[3:1].title", want: `[]`},
		{path: "$.store.book[?(@.price < 10)].title", want: `["Sayings of the Century","Moby Dick"]`},
		{path: "$.store.book[?(@.isbn)].title", want: `["Moby Dick","The Lord of the Rings"]`},
		{path: "$.store.book[?(!@.isbn)].title", want: `["Sayings of the Century","Sword of Honour"]`},
		{path: "$.store.book[?(@.category == 'fiction' && @.price > 20)].title", want: `["The Lord of the Rings"]`},
		{path: "$.store.book[?(@.category == 'reference' || @.price > 20)].title", want: `["Sayings of the Century","The Lord of the Rings"]`},
		{path: "$.store.book[?(!(@.category == 'fiction'))].title", want: `["Sayings of the Century"]`},
		{path: "$.store.book[?(@.author =~ /.*Tolkien/)].title", want: `["The Lord of the Rings"]`},
		{path: "$.store.book[?(@.author =~ /Tolkien/)].title", want: `[]`}, // =~ must match the whole value
		{path: "$.store.book[?(@.author =~ /herman.*/i)].title", want: `["Moby Dick"]`},
		{path: "$.store.book[?(@.category in ['reference', 'poetry'])].title", want: `["Sayings of the Century"]`},
		{path: "$.store.book[?(@.category nin ['fiction'])].title", want: `["Sayings of the Century"]`},
		{path: "$.store.book[?(@.price > $.expensive)].title", want: `["Sword of Honour","The Lord of the Rings"]`},
		{path: "$.store.book[?(@.price == '8.95')].title", want: `["Sayings of the Century"]`},
		{path: "$.store.book[?(@.price != 8.95)].title", want: `["Sword of Honour","Moby Dick","The Lord of the Rings"]`},
		{path: "$.store.book[?(@.isbn != 'x')].title", want: `["Sayings of the Century","Sword of Honour","Moby Dick","The Lord of the Rings"]`},
		{path: "$.store.book[?(@.title >= 'S')].title", want: `["Sayings of the Century","Sword of Honour","The Lord of the Rings"]`},
		{path: "$.store.book[?(@.price <= 8.99)].title", want: `["Sayings of the Century","Moby Dick"]`},
		{path: "$.store.book[?(@.isbn)][?(@.price > 20)].title", want: `["The Lord of the Rings"]`},
		{path: "$.store[?(@.bicycle)].bicycle.color", want: `["red"]`},        // a filter on an object tests the object
		{path: "$.mixed[?(@.n == 1)]", want: `[{"n":1},{"n":1.0},{"n":"1"}]`}, // Jayway: a string equals a number with the same text
		{path: "$.mixed[?(@.n == '1')]", want: `[{"n":1},{"n":1.0},{"n":"1"}]`},
		{path: "$.mixed[?(@.n == [1, 2])]", want: `[{"n":[1,2]}]`},
		{path: "$.mixed[?(@.n == {'k': true})]", want: `[{"n":{"k":true}}]`},
		{path: "$.mixed[?(@.n == null)]", want: `[{"n":null}]`},
		{path: "$.mixed[?(@.n)]", want: `[{"n":1},{"n":1.0},{"n":"1"},{"n":[1,2]},{"n":{"k":true}},{"n":null}]`},
		{path: "$.mixed[?(@.n > 0)]", want: `[{"n":1},{"n":1.0}]`},
		{path: "$.mixed[?(@.n[1] == 2)]", want: `[{"n":[1,2]}]`},
		{path: "$.mixed[?(@.n[*] == 2)]", want: `[]`},
		{path: "$.mixed[?(true)]", want: `[{"n":1},{"n":1.0},{"n":"1"},{"n":[1,2]},{"n":{"k":true}},{"n":null},{"m":0}]`}, // @ never matches scalars or arrays (AWS docs, Reference Paths)
		{path: "$.nums[?(@ > 1)]", want: `[]`},
		{path: "$.missing[*]", want: `[]`}, // aws-semantics.md §1.3 [observed]: wildcard or slice over missing data yields []
		{path: "$.missing[1:]", want: `[]`},
		{path: "$.missing.items[*].itemValue", want: `[]`},
		{path: "$.str[*]", want: `[]`},
		{path: "$.str..x", want: `[]`},
		{path: "$.empty[*]", want: `[]`},
		{path: "$.x", err: `Invalid path '$.x' : No results for path: $['x']`}, // aws-semantics.md §1.3 [observed]
		{path: "$.no.such.result.path", err: `Invalid path '$.no.such.result.path' : Missing property in path $['no']`},
		{path: "$.store.nope.x", err: `Invalid path '$.store.nope.x' : Missing property in path $['store']['nope']`},
		{path: "$.store.book[9].title", err: `Invalid path '$.store.book[9].title' : No results for path: $['store']['book'][9]['title']`},
		{path: "$.empty[0]", err: `Invalid path '$.empty[0]' : No results for path: $['empty'][0]`},
		{path: "$.str.x", err: `Invalid path '$.str.x' : Expected to find an object with property ['x'] in path $['str'] but found 'java.lang.String'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.big.x", err: `Invalid path '$.big.x' : Expected to find an object with property ['x'] in path $['big'] but found 'java.lang.Long'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.nul.x", err: `Invalid path '$.nul.x' : Expected to find an object with property ['x'] in path $['nul'] but found 'null'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.nums['a','b']", err: `Invalid path '$.nums['a','b']' : Expected to find an object with property ['a', 'b'] in path $['nums'] but found 'java.util.ArrayList'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`},
		{path: "$.nul[0]", err: `Invalid path '$.nul[0]' : The path $['nul'] is null`},
		{path: "$.store.bicycle[0]", err: `Invalid path '$.store.bicycle[0]' : Filter: [0] can only be applied to arrays. Current context is: {color=red, price=19.95}`},
		// gist deric4/733eb129 (AWS console output): multi-properties only at the end of a path.
		{path: "$.store['book','bicycle'].price", err: `Invalid path '$.store['book','bicycle'].price' : Multi properties can only be used as path leafs: $['store']['book', 'bicycle']`},
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	doc := mustParse(t, storeJSON)
	for _, tt := range getCases() {
		p, err := jsonpath.Compile(tt.path)
		if err != nil {
			t.Errorf("Compile(%q): %v", tt.path, err)
			continue
		}
		got, err := p.Get(doc)
		if tt.err != "" {
			var pe *jsonpath.Error
			if !errors.As(err, &pe) || err.Error() != tt.err {
				t.Errorf("Get(%q) = %s, %v\nwant error %s", tt.path, jsonv.Marshal(got), err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Get(%q): %v", tt.path, err)
			continue
		}
		if tt.want == "" {
			if got != doc {
				t.Errorf("Get(%q) did not return the document itself", tt.path)
			}
			continue
		}
		if s := jsonv.Marshal(got); s != tt.want {
			t.Errorf("Get(%q)\n got %s\nwant %s", tt.path, s, tt.want)
		}
	}
}

// TestGetRoots evaluates the root forms against the values the caller
// picks by Root(): wildcards and slices over an empty input yield [] (the
// LocalStack-recorded AWS case $[*] with input {}).
func TestGetRoots(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, root, want string }{
		{"$[*]", `{}`, `[]`},
		{"$[*]", `[1,"a"]`, `[1,"a"]`},
		{"$", `"scalar"`, `"scalar"`},
		{"$[0]", `[7]`, `7`},
		{"$$.Execution.Name", `{"Execution":{"Name":"run-1"}}`, `"run-1"`},
		{"$counter", `3`, `3`},
		{"$order.items[1].sku", `{"items":[{"sku":"a"},{"sku":"b"}]}`, `"b"`},
	}
	for _, tt := range tests {
		got, err := jsonpath.MustCompile(tt.path).Get(mustParse(t, tt.root))
		if err != nil || jsonv.Marshal(got) != tt.want {
			t.Errorf("Get(%q) on %s = %s, %v; want %s", tt.path, tt.root, jsonv.Marshal(got), err, tt.want)
		}
	}
}

// TestGetDoesNotModify checks that evaluation leaves the document as it was,
// including for merged multi-property results.
func TestGetDoesNotModify(t *testing.T) {
	t.Parallel()
	doc := mustParse(t, storeJSON)
	before := jsonv.Marshal(doc)
	for _, tt := range getCases() {
		p, err := jsonpath.Compile(tt.path)
		if err != nil {
			continue
		}
		_, _ = p.Get(doc)
	}
	if jsonv.Marshal(doc) != before {
		t.Fatal("Get modified the document")
	}
}

// TestConcurrentGet shares compiled paths between goroutines (run with -race).
func TestConcurrentGet(t *testing.T) {
	t.Parallel()
	doc := mustParse(t, storeJSON)
	var paths []*jsonpath.Path
	for _, tt := range getCases() {
		paths = append(paths, jsonpath.MustCompile(tt.path))
	}
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 20 {
				for _, p := range paths {
					_, _ = p.Get(doc)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}
