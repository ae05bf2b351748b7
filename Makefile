# stepd — Step Functions and Lambda on your own machine.
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
ADDR      ?= 127.0.0.1:8083
SCREENSHOTS ?= screenshots

# Fuzz targets run briefly by `make test`: package:FuzzName.
FUZZ_TARGETS := \
	./internal/jsonv:FuzzParse \
	./internal/lambda:FuzzParseFunctionRef \
	./internal/lambda:FuzzUnzip \
	./internal/lambda/logstore:FuzzFilterPattern \
	./internal/lambda/logstore:FuzzEventLine \
	./internal/history:FuzzEventRoundTrip \
	./internal/api:FuzzLogsAPI \
	./internal/jsonpath:FuzzCompile \
	./internal/jsonpath:FuzzGet \
	./internal/intrinsic:FuzzParse \
	./internal/intrinsic:FuzzEval \
	./internal/jsonata:FuzzEval \
	./internal/jsonata:FuzzParse \
	./internal/asl:FuzzCompile \
	./internal/asl:FuzzUnsupportedReferences

.PHONY: all build run test lint fmt-check vet staticcheck unit fuzz bench deps clean console-test screenshots

all: build

build:
	$(GO) build -o bin/stepd ./cmd/stepd

## run: start stepd on $(ADDR) with its data in ./.stepd.
run:
	$(GO) run ./cmd/stepd serve --addr $(ADDR)

## test: everything CI runs.
test: deps lint unit fuzz

## deps: install what the tests need and a fresh machine may lack.
deps:
	./scripts/test-deps.sh

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

unit:
	$(GO) test -race -count=1 $(PKGS)

fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh $(FUZZ_TARGETS)

## console-test: the web console's tests alone, browser tests in headless
## Chromium included (`make unit` runs them too, with everything else).
console-test:
	$(GO) test -race -count=1 -v ./internal/console

## screenshots: PNGs of the console's main pages in $(SCREENSHOTS)/.
screenshots:
	./scripts/screenshots.sh $(SCREENSHOTS)

## bench: the benchmarks whose numbers the closing notes report.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) $(PKGS)

clean:
	rm -rf bin .stepd
