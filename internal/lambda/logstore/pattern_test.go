package logstore

import (
	"errors"
	"strings"
	"testing"
)

// patternCase: pattern matches exactly the messages in match among msgs.
type patternCase struct {
	pattern string
	match   []string
	miss    []string
}

func runPatternCases(t *testing.T, cases []patternCase) {
	t.Helper()
	for _, c := range cases {
		m, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("%q: %v", c.pattern, err)
			continue
		}
		for _, msg := range c.match {
			if !m(msg) {
				t.Errorf("%q should match %q", c.pattern, msg)
			}
		}
		for _, msg := range c.miss {
			if m(msg) {
				t.Errorf("%q should not match %q", c.pattern, msg)
			}
		}
	}
}

func TestTermPatterns(t *testing.T) {
	const (
		badReq  = "[ERROR 400] BAD REQUEST\n"
		missing = "[ERROR 419] MISSING ARGUMENTS\n"
		ok      = "[INFO 200] SUCCESSFUL REQUEST\n"
		server  = "[ERROR 500] INTERNAL SERVER ERROR\n"
	)
	runPatternCases(t, []patternCase{
		{"", []string{badReq, "", "x"}, nil},
		{"   ", []string{badReq, ""}, nil},
		{`" "`, []string{badReq, "nospace"}, nil},
		{"ERROR", []string{badReq, missing, server, "ERRORCODE: -1"}, []string{ok, "error 400"}},
		{"ERROR ARGUMENTS", []string{missing}, []string{badReq, ok}},
		{"?ERROR ?ARGUMENTS", []string{badReq, missing, "INFO ARGUMENTS"}, []string{ok}},
		// "?" terms next to other terms are ignored, as AWS documents.
		{"?ERROR ?ARGUMENTS REQUEST", []string{badReq, ok}, []string{missing}},
		{"?ERROR ?ARGUMENTS -REQUEST", []string{missing, server, "plain"}, []string{badReq, ok}},
		{"ERROR -ARGUMENTS", []string{badReq, server}, []string{missing, ok}},
		{"-ERROR", []string{ok, "plain"}, []string{badReq}},
		{`ERROR -"BAD REQUEST"`, []string{missing, server}, []string{badReq}},
		{`"ERROR" - "BAD"`, []string{missing}, []string{badReq}},
		{`"INTERNAL SERVER ERROR"`, []string{server}, []string{"INTERNAL  SERVER ERROR", "INTERNAL SERVER error"}},
		{`"say \"hi\""`, []string{`they say "hi" now`}, []string{"say hi"}},
		{`?"BAD REQUEST" ?MISSING`, []string{badReq, missing}, []string{ok}},
		{"RequestId:", []string{"START RequestId: 1"}, []string{"RequestId 1"}},
	})
}

func TestRegexPatterns(t *testing.T) {
	runPatternCases(t, []patternCase{
		{"%AUTHORIZED%", []string{"[ERROR 401] UNAUTHORIZED REQUEST", "AUTHORIZED"}, []string{"authorized"}},
		{`%^ERROR\s[0-9]{3}$%`, []string{"ERROR 500", "ERROR 500\n"}, []string{"ERROR 5000", "xERROR 500"}},
		{"%ERROR|WARN%", []string{"a WARN b", "ERROR"}, []string{"INFO"}},
		{`%10\.10\.0\.1%`, []string{"from 10.10.0.1"}, []string{"10010,051"}},
		{"%10.10.0.1%", []string{"10010,051"}, nil},
		{"%a{,2}b$%", []string{"aab", "b"}, nil},
		{`%\x3A%`, []string{"a:b"}, []string{"ab"}},
	})
}

const cloudTrail = `{"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111",` +
	`"arrayKey":["value","another value"],"objectList":[{"name":"a","id":1},{"name":"b","id":2}],` +
	`"SomeObject":null,"ThisFlag":true,"Off":false,"cluster.name":"c","latency":512.5,"code":"400"}` + "\n"

const users = `{"user":{"id":1,"email":"John.Stiles@example.com"},` +
	`"users":[{"id":2,"email":"John.Doe@example.com"},{"id":3,"email":"Jane.Doe@example.com"}],` +
	`"actions":["GET","PUT","DELETE"],"coordinates":[[0,1,2],[4,5,6],[7,8,9]]}`

func TestJSONPatterns(t *testing.T) {
	all := []string{cloudTrail}
	runPatternCases(t, []patternCase{
		{`{ $.eventType = "UpdateTrail" }`, all, []string{`{"eventType":"CreateTrail"}`, "UpdateTrail", `["UpdateTrail"]`, `{"eventType":"UpdateTrail"`}},
		{`{$.eventType=UpdateTrail}`, all, nil},
		{`{ $.eventType != "UpdateTrail" }`, []string{`{"eventType":"x"}`}, []string{cloudTrail, `{}`, `{"eventType":null}`}},
		{`{ $.eventType = Update* }`, all, []string{`{"eventType":"xUpdate"}`}},
		{`{ $.eventType = *Trail }`, all, []string{`{"eventType":"Trails"}`}},
		{`{ $.eventType = *date* }`, all, nil},
		{`{ $.eventType = "Up*Trail" }`, []string{`{"eventType":"Up*Trail"}`}, all},
		{`{ $.sourceIPAddress != 123.123.* }`, all, []string{`{"sourceIPAddress":"123.123.1.1"}`}},
		{`{ $.arrayKey[0] = "value" }`, all, []string{`{"arrayKey":["another value","value"]}`, `{"arrayKey":"value"}`}},
		{`{ $.arrayKey[1] = "value" }`, nil, all},
		{`{ $.arrayKey[*] = "another value" }`, all, []string{`{"arrayKey":[]}`}},
		{`{ $.arrayKey[*] = %val.{2}% }`, all, nil},
		{`{ $.* = %111\.111\.111\.1[0-9]{1,2}% }`, all, []string{`{"a":{"b":"111.111.111.111"}}`}},
		{`{ $.objectList[1].id = 2 }`, all, []string{`{"objectList":[{"id":2}]}`}},
		{`{ $.objectList[*].name = b }`, all, nil},
		{`{ $.['cluster.name'] = "c" }`, all, []string{`{"cluster":{"name":"c"}}`}},
		{`{ $.cluster.name = "c" }`, []string{`{"cluster":{"name":"c"}}`}, all},
		{`{ $.eventType = %Trail% }`, all, nil},
		{`{ $.SomeObject IS NULL }`, all, []string{`{"SomeObject":"null"}`, `{}`}},
		{`{ $.SomeOtherObject NOT EXISTS }`, append([]string{`{}`}, all...), []string{`{"SomeOtherObject":null}`, "not json"}},
		{`{ $.ThisFlag IS TRUE }`, all, []string{`{"ThisFlag":"true"}`, `{"ThisFlag":1}`}},
		{`{ $.Off is false }`, all, []string{`{"Off":true}`}},
		{`{ $.latency >= 500 }`, all, []string{`{"latency":499}`, `{"latency":"600"}`}},
		{`{ $.latency < 5.13e2 && $.latency > +512 }`, all, nil},
		{`{ $.latency = 512.50 }`, all, nil},
		{`{ $.latency != 512.5 }`, []string{`{"latency":1}`}, []string{cloudTrail, `{}`, `{"latency":"1"}`}},
		{`{ $.code = 400 }`, []string{`{"code":400}`, `{"code":4e2}`}, []string{cloudTrail}},
		{`{ $.code = "400" }`, []string{cloudTrail, `{"code":400}`}, nil},
		{`{ $.code = 4* }`, []string{cloudTrail, `{"code":404}`}, []string{`{"code":500}`}},
		{`{ $.latency = * }`, []string{cloudTrail, `{"latency":"x"}`}, []string{`{}`, `{"latency":{}}`, `{"latency":null}`}},
		{`{ $.arrayKey = "value" }`, nil, all},
		{`{ $.arrayKey != "value" }`, nil, all}, // arrays and objects never compare
		// Compound expressions: () > && > ||.
		{`{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, []string{users}, nil},
		{`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, nil, []string{users}},
		{`{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, []string{users}, nil},
		{`{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, nil, []string{users}},
		{`{ $.coordinates[2][0] = 7 }`, []string{users}, nil},
		{`{ (($.user.id = 9) || (($.actions[1] = PUT))) }`, []string{users}, nil},
	})
}

func TestDelimitedPatterns(t *testing.T) {
	const (
		notFound = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534` + "\n"
		gone     = `127.0.0.2 - jane [10/Oct/2000:13:25:16 -0700] "GET /index.html HTTP/1.0" 410 0`
		failed   = `127.0.0.3 - frank [10/Oct/2000:13:25:17 -0700] "POST /api HTTP/1.0" 500 2048`
		extra    = "127.0.0.5\t-  frank [10/Oct/2000:13:25:19 -0700] \"GET /a.html HTTP/1.0\" 404 1534 extra"
		errLine  = "ERROR 09/25/2014 12:00:02 Failed to process request"
		warnLine = "WARNING 09/25/2014 12:00:02 Invalid user request"
		infoLine = "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200"
		partLine = "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310"
	)
	access := []string{notFound, gone, failed}
	runPatternCases(t, []patternCase{
		{"[ip, user, username, timestamp, request, status_code, bytes]", access, []string{extra, "a b c"}},
		{"[ip, user, username, timestamp, request, status_code, bytes > 1000]", []string{notFound, failed}, []string{gone}},
		{"[ip, user, username, timestamp, request, status_code = 4*, bytes]", []string{notFound, gone}, []string{failed}},
		{"[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", []string{notFound, gone}, []string{failed}},
		{`[ip, , , timestamp = "10/Oct/2000:13:25:17 -0700", request = "POST /api HTTP/1.0", ,]`, []string{failed}, []string{notFound}},
		{"[..., status_code = 404 || status_code = 410, bytes]", []string{notFound, gone, extra + " 404 1"}, []string{failed, extra}},
		{"[..., status_code >= 400 && status_code < 500, bytes]", []string{notFound, gone}, []string{failed}},
		{"[ip = %127\\.0\\.0\\.[1-2]%, ...]", []string{notFound, gone}, []string{failed}},
		{"[ip, user, ...]", append([]string{extra, "a b"}, access...), []string{"a"}},
		{"[ip, ..., status, bytes]", append([]string{extra}, access...), []string{"a b"}},
		{"[..., bytes]", append([]string{"x"}, access...), []string{"", "   "}},
		{"[...]", []string{"", "x y"}, nil},
		{"[w1=ERROR, w2]", []string{"ERROR message"}, []string{errLine, "ERROR", "WARN message"}},
		{"[w1=ERROR, ...]", []string{errLine}, []string{warnLine}},
		{"[w1=ERROR || w1=WARNING, ...]", []string{errLine, warnLine}, []string{infoLine}},
		{"[w1!=ERROR && w1!=WARNING, ...]", []string{infoLine}, []string{errLine, warnLine}},
		{"[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", []string{infoLine}, []string{partLine}},
		{"[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]", []string{partLine}, []string{infoLine}},
		{`[a, b = "two words"]`, []string{`x "two words"`}, []string{"x two words"}},
		{`[a, b = "unterminated words"]`, []string{`x "unterminated words`}, nil},
		{"[a, b = -1.5e1]", []string{"x -15", "x -15.0"}, []string{"x 15", "x -15x"}},
		{"[a = *]", []string{"x"}, []string{"x y"}},
	})
}

func TestSplitFields(t *testing.T) {
	got := splitFields("  a\t[b c] \"d [e]\"  [f \"g\"] h\n")
	want := []string{"a", "b c", "d [e]", `f "g"`, "h"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("splitFields: %q, want %q", got, want)
	}
}

func TestPatternErrors(t *testing.T) {
	for _, p := range []string{
		// Terms.
		`"ERROR`, `ERROR -`, `?`, `ERROR -"unterminated`,
		// Regular expressions.
		`%%%`, `%^(ERROR|WARN)%`, `%hello!%`, `%café%`, `%[abc%`,
		// JSON.
		`{`, `{}`, `{ $.a = 1`, `{ $.a = 1 } x`, `{ a = 1 }`, `{ $ = 1 }`, `{ $. = 1 }`, `{ $..a = 1 }`,
		`{ $.a }`, `{ $.a == 1 }`, `{ $.a = }`, `{ $.a EXISTS }`, `{ $.a IS NOT NULL }`, `{ $.a IS }`,
		`{ $.a NOT }`, `{ $.a > "5" }`, `{ $.a > abc }`, `{ $.a < * }`, `{ $.a >= %x% }`, `{ $.a = "x }`,
		`{ ($.a = 1 }`, `{ $.a = 1 && }`, `{ $.a = 1 || || $.b = 2 }`, `{ $.a = 1 AND $.b = 2 }`,
		`{ !($.a = 1) }`, `{ $.a[-1] = 1 }`, `{ $.a[0:2] = 1 }`, `{ $.a[x] = 1 }`, `{ $.a[0 = 1 }`,
		`{ $.a[99999999999999999999] = 1 }`, `{ $.a[*].* = 1 }`, `{ $.['a = 1 }`,
		`{ $.a[*] = 1 || $.b[*] = 1 || $.* = 1 || $.c[*] = 1 }`,
		`{ $.a = %x% || $.a = %y% || $.a = %z% }`, `{ $.a = %x }`, `{ $.a = %(x)% }`,
		`{ "v": [1] }`,
		// Space-delimited.
		`[`, `[a`, `[a, b`, `[a] x`, `[..., b, ...]`, `[a = ]`, `[a > x]`, `[a = 1 || b = 2]`,
		`[a = 1 &&]`, `[a == 1]`, `[a b]`, `[(a = 1)]`, `[a = "x]`, `[...x]`,
		// Too long.
		strings.Repeat("x", maxPatternLen+1),
	} {
		if _, err := compilePattern(p); !errors.Is(err, ErrInvalidPattern) {
			t.Errorf("%q: got %v, want an invalid pattern error", p, err)
		}
	}
	if _, err := compilePattern(strings.Repeat("é", maxPatternLen)); err != nil {
		t.Errorf("a pattern of %d characters: %v", maxPatternLen, err)
	}
}

// TestFilterInvalidPattern: Filter reports a pattern it cannot parse.
func TestFilterInvalidPattern(t *testing.T) {
	s := New(Options{})
	s.CreateStream("g", "a").Append(1, `{"a":1}`)
	if _, _, err := s.Filter("g", FilterQuery{Pattern: `{ $.a = }`}); !errors.Is(err, ErrInvalidPattern) {
		t.Fatalf("got %v", err)
	}
	evs, _, err := s.Filter("g", FilterQuery{Pattern: `{ $.a = 1 }`})
	if err != nil || len(evs) != 1 {
		t.Fatalf("got %v %v", evs, err)
	}
}

func FuzzFilterPattern(f *testing.F) {
	for _, p := range []string{
		"", "REPORT", `"a b" c`, "?x ?y z", `"unterminated`, "? ?", "\t\"\"", "-x ?y", `%^a[0-9]{1,}$%`,
		`{ $.a = "x*" && ($.b[0] > 5 || $.c IS TRUE) }`, `{ $.* NOT EXISTS || $.d[*].e != %v.% }`,
		`{ $.['k.x'] IS NULL }`, `[ip, ..., status = 4* || status = 500, bytes > 10]`, `[a, "b", c = %x%]`,
	} {
		f.Add(p, "REPORT a b c x\n")
		f.Add(p, `{"a":"xy","b":[7],"c":true,"k.x":null,"d":[{"e":"vv"}]}`)
		f.Add(p, `1.2.3.4 - - [t z] "GET / x" 404 12`)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		m, err := compilePattern(pattern)
		if err != nil {
			if !errors.Is(err, ErrInvalidPattern) {
				t.Fatalf("%q: error %v does not wrap ErrInvalidPattern", pattern, err)
			}
			return
		}
		got := m(msg)
		if strings.TrimSpace(pattern) == "" && !got {
			t.Fatal("the empty pattern must match everything")
		}
	})
}
