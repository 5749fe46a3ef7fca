# The README's commands. Every target installs what is missing first (scripts/bootstrap).
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
# The test targets (and so CI, .ci/run) build with warnings as errors (SOCKGUARD_WERROR);
# `make test WERROR=OFF` runs the suites on a compiler that warns about something new.
# `make build` and `make run` leave the build dir's setting as it is: off when they
# configured it, so a user who only builds and runs the server is never stopped by one.
WERROR     ?= ON

.PHONY: all bootstrap build build-werror run cluster test test-unit test-integration test-asan fuzz fuzz-smoke bench attack clean

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/build.ninja
	ninja -C $(BUILD) -j $(JOBS)

# The build of `make test`. $(BUILD) may have been configured before (by `make run`, or
# with WERROR=OFF), so cmake is re-run to set SOCKGUARD_WERROR there; when the value is
# unchanged it regenerates nothing and ninja rebuilds nothing.
build-werror: bootstrap $(BUILD)/build.ninja
	cmake -S . -B $(BUILD) -DSOCKGUARD_WERROR=$(WERROR)
	ninja -C $(BUILD) -j $(JOBS)

# Builds and starts the server on its embedded defaults (127.0.0.1:4000, data in var/).
run: build
	$(BUILD)/sockguard serve

# A cluster on loopback (scripts/cluster): Redis, PostgreSQL, three nodes and nginx on
# port 4000 in front of them, all in var/cluster/. Ctrl-C stops all of it.
cluster: build
	scripts/cluster $(BUILD)

# Everything the suites need, Chromium for the browser tests and clang for the fuzz smoke
# included, is installed first.
test: build-werror
	@scripts/bootstrap --browser --fuzz
	scripts/test $(BUILD)

test-unit: build
	cd $(BUILD) && ctest --output-on-failure

test-integration: build
	SOCKGUARD_BIN=$(CURDIR)/$(BUILD)/sockguard node --test --test-concurrency=1 tests/integration/

# The unit and integration suites (security suite included) under AddressSanitizer +
# UBSan, in $(BUILD_ASAN). CI runs it after `make test`.
test-asan: bootstrap
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSOCKGUARD_SANITIZE=ON -DSOCKGUARD_BENCH=OFF \
	  -DSOCKGUARD_WERROR=$(WERROR)
	ninja -C $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure
	SOCKGUARD_BIN=$(CURDIR)/$(BUILD_ASAN)/sockguard node --test --test-concurrency=1 tests/integration/

# libFuzzer targets (clang, ASan + UBSan, in $(BUILD_FUZZ)), FUZZ_SECONDS each, from a
# temporary copy of tests/fuzz/corpus. The scripts run `scripts/bootstrap --fuzz` first.
fuzz:
	BUILD_FUZZ=$(BUILD_FUZZ) FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/fuzz

# The same, 10 s per target: what the test suite runs.
fuzz-smoke:
	BUILD_FUZZ=$(BUILD_FUZZ) JOBS=$(JOBS) scripts/fuzz-smoke

bench: build
	scripts/bench $(BUILD)

# The attack run (issue 5), full length: a fresh server on default limits under idle
# sockets, bad-credential floods, slowloris and junk while legitimate clients use it.
# Prints the figures; fails when a bad credential got in, a legitimate client was
# refused or disconnected, a broadcast was lost, or the server's memory passed its bound.
attack: build
	scripts/attack $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
