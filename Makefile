# Văn Thư Số. `make test` is what CI runs (through .ci/run); every target
# installs what it needs first (scripts/deps.sh is idempotent).

GO       ?= go
BIN      := bin
DIST     := dist
FUZZTIME ?= 20s
# migrated_fynedo: the client calls fyne.Do for every widget change from a
# goroutine (FyneApp.toml's [Migrations] fyneDo; go build does not read it).
TAGS     := migrated_fynedo
export CGO_ENABLED := 1

.PHONY: all deps build test vet faults fuzz bench demo demo-cli screenshots cross clean

all: build

deps:
	@scripts/deps.sh

build: deps
	$(GO) build -tags $(TAGS) -o $(BIN)/ ./cmd/...

vet: deps
	$(GO) vet -tags $(TAGS) ./...
	$(GO) vet -tags $(TAGS),screenshots ./app/
	$(GO) vet -tags $(TAGS),failpoints ./internal/... ./sync/... ./server/... ./cmd/vanthuctl/ ./cmd/vanthu-server/

# All tests, with the race detector, then every fuzz target for a bounded
# time. Nothing is skipped for a missing tool: deps installs them. The
# screenshot hook is compiled only with -tags screenshots (release
# binaries carry no test code: internal/release checks it), so its tests
# run in a second pass.
test: deps vet
	$(GO) test -tags $(TAGS) -race -timeout 60m ./...
	$(GO) test -tags $(TAGS),screenshots -race -run 'Screenshot|Uniform|ReadEnv' ./app/
	@$(MAKE) --no-print-directory faults
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory cross

# The exchange under faults: kills at the named failpoints (built only
# with -tags failpoints) and the fault campaign between real processes
# (internal/faultcampaign: seed printed; FAULT_SEED=N FAULT_SEEDS=1 runs
# one again).
faults: deps
	$(GO) test -tags $(TAGS),failpoints -race -timeout 30m ./internal/failpoint/ ./sync/store/ ./internal/faultcampaign/

fuzz: deps
	@scripts/fuzz.sh $(FUZZTIME)

# Speed and memory: Go benchmarks plus ours vs pdfsign vs the floor
# (sha256sum + cp) on generated 1 MB and 200 MB PDFs.
bench: deps
	@scripts/bench.sh

# The main job for a newcomer: the desktop client in demo mode (a software
# token with a test PKI, sample documents, one already signed by the
# leader, and a local vanthu-server from bin/, which build makes, so that
# documents go from one agency to another: a second window with
# bin/vanthu --demo --demo-user van-thu-stc receives them). Without a
# display, the same workflow on the command line.
demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "demo: opening the desktop client (bin/vanthu --demo)"; $(BIN)/vanthu --demo; \
	else \
		echo "demo: no display (DISPLAY is empty): running the command-line demo; on a desktop, make demo opens the app"; \
		$(BIN)/vanthuctl demo; \
	fi

# The workflow of the demo on the command line: leader, clerk, attachment,
# copy, all checked by our verifier (the demo's test cross-checks with pdfsig).
demo-cli: build
	$(BIN)/vanthuctl demo

# Screenshots of the main screens under Xvfb at 1366x768 and 1920x1080.
screenshots: deps
	@scripts/screenshots.sh
	VANTHU_WORK_SHOTS=$(CURDIR)/screenshots $(GO) test -count=1 -tags $(TAGS),screenshots -run TestScreenshots ./app/work/

# Windows builds with mingw-w64 (officials mostly use Windows).
cross: deps
	GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -o $(DIST)/windows-amd64/vanthuctl.exe ./cmd/vanthuctl
	@head -c 2 $(DIST)/windows-amd64/vanthuctl.exe | grep -q MZ && echo "cross: $(DIST)/windows-amd64/vanthuctl.exe is a Windows executable"
	GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) vet ./signing/token/
	GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build -tags $(TAGS) -ldflags -H=windowsgui -o $(DIST)/windows-amd64/vanthu.exe ./cmd/vanthu
	@head -c 2 $(DIST)/windows-amd64/vanthu.exe | grep -q MZ && echo "cross: $(DIST)/windows-amd64/vanthu.exe is a Windows executable"

clean:
	rm -rf $(BIN) $(DIST)
