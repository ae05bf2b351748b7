package lambda

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// No-op handlers: the benchmarks measure the platform, not the code.
var noopFunctions = []fnSpec{
	{name: "pynoop", runtime: "python3.12", handler: "app.handler", files: map[string]string{"app.py": "def handler(e, c):\n    return None\n"}},
	{name: "nodenoop", runtime: "nodejs20.x", handler: "index.handler", files: map[string]string{"index.js": "exports.handler = async () => null;\n"}},
}

func benchService(b *testing.B, concurrency int) *testBundle {
	needTool(b, "python3")
	needTool(b, "node")
	tb := newTestService(b, Options{DefaultConcurrency: concurrency})
	for _, f := range noopFunctions {
		tb.create(b, f)
	}
	return tb
}

// reportPercentiles adds p50 and p99 latency metrics.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkInvokeWarm is the round trip of a RequestResponse invoke on a
// warm environment: Invoke → Runtime API → bootstrap → no-op handler →
// response → END/REPORT. Target: p50 under 1 ms.
func BenchmarkInvokeWarm(b *testing.B) {
	tb := benchService(b, 1)
	ctx := context.Background()
	for _, f := range noopFunctions {
		b.Run(f.runtime, func(b *testing.B) {
			in := &InvokeInput{FunctionName: f.name, Payload: []byte(`{"k":"v"}`)}
			if _, err := tb.svc.Invoke(ctx, in); err != nil { // warm up
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				out, err := tb.svc.Invoke(ctx, in)
				lat = append(lat, time.Since(start))
				if err != nil || out.FunctionError != "" {
					b.Fatalf("%v %+v", err, out)
				}
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

// BenchmarkInvokeThroughput measures invokes per second with exactly 1
// and 8 concurrent callers (environments scale to the callers).
func BenchmarkInvokeThroughput(b *testing.B) {
	for _, callers := range []int{1, 8} {
		tb := benchService(b, callers)
		for _, f := range noopFunctions {
			b.Run(fmt.Sprintf("%s/callers=%d", f.runtime, callers), func(b *testing.B) {
				ctx := context.Background()
				in := &InvokeInput{FunctionName: f.name, Payload: []byte(`{}`)}
				var next atomic.Int64
				var wg sync.WaitGroup
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				for c := 0; c < callers; c++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(b.N) {
							if out, err := tb.svc.Invoke(ctx, in); err != nil || out.FunctionError != "" {
								b.Errorf("%v %+v", err, out)
								return
							}
						}
					}()
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "invokes/s")
			})
		}
	}
}

// BenchmarkColdStart measures an invoke that must start its environment:
// process start, bootstrap, handler import, first event. Target: under
// 100 ms for Python.
func BenchmarkColdStart(b *testing.B) {
	tb := benchService(b, 1)
	ctx := context.Background()
	for _, f := range noopFunctions {
		b.Run(f.runtime, func(b *testing.B) {
			in := &InvokeInput{FunctionName: f.name, Payload: []byte(`{}`)}
			if _, err := tb.svc.Invoke(ctx, in); err != nil { // interpreter lookup, bytecode caches
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				tb.svc.reclaimIdle(timeFarFuture)
				b.StartTimer()
				start := time.Now()
				out, err := tb.svc.Invoke(ctx, in)
				lat = append(lat, time.Since(start))
				if err != nil || out.FunctionError != "" {
					b.Fatalf("%v %+v", err, out)
				}
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}
