# Văn Thư Số. `make test` is what CI runs (through .ci/run); every target
# installs what it needs first (scripts/deps.sh is idempotent).

GO       ?= go
BIN      := bin
DIST     := dist
FUZZTIME ?= 20s
export CGO_ENABLED := 1

.PHONY: all deps build test vet fuzz bench demo cross clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -o $(BIN)/ ./cmd/...

vet: deps
	$(GO) vet ./...

# All tests, with the race detector, then every fuzz target for a bounded
# time. Nothing is skipped for a missing tool: deps installs them.
test: deps vet
	$(GO) test -race -timeout 60m ./...
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory cross

fuzz: deps
	@scripts/fuzz.sh $(FUZZTIME)

# Speed and memory: Go benchmarks plus ours vs pdfsign vs the floor
# (sha256sum + cp) on generated 1 MB and 200 MB PDFs.
bench: deps
	@scripts/bench.sh

# The main job for a newcomer: a software token with a test PKI, a sample
# document signed by the leader, then by the clerk, verified by pdfsig.
demo: build
	$(BIN)/vanthuctl demo --dir $(HOME)/.local/share/vanthu-demo

# Windows builds with mingw-w64 (officials mostly use Windows).
cross: deps
	GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -o $(DIST)/windows-amd64/vanthuctl.exe ./cmd/vanthuctl
	@head -c 2 $(DIST)/windows-amd64/vanthuctl.exe | grep -q MZ && echo "cross: $(DIST)/windows-amd64/vanthuctl.exe is a Windows executable"
	GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) vet ./signing/token/

clean:
	rm -rf $(BIN) $(DIST)
