# Root Makefile: a thin wrapper around CMake/CTest.
#   make run     bootstrap + build the library and the demo only + run the quickstart demo
#   make install PREFIX=P   install library, headers, CLI, man page, pkg-config and CMake files
#   make test    bootstrap + build + full CTest suite (+ sanitizer build when CI is set)
#   make build | check | sanitize | bench | fuzz | format | clean
BUILD      ?= build
SAN_BUILD  ?= build-sanitize
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
PREFIX     ?= /usr/local

.PHONY: all bootstrap peers build check test sanitize run install bench fuzz format clean

all: build

bootstrap:
	@bash scripts/bootstrap.sh

peers:
	@bash scripts/install-peers.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: bootstrap $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The test suite on the normal build (no bootstrap): for quick iterations.
check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The full gate: bootstrap, peers, build, all tests; in CI also the
# ASan+UBSan build and its test run.
test: bootstrap peers build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	@if [ -n "$$CI" ] || [ -n "$$DLK_SANITIZE_TESTS" ]; then $(MAKE) --no-print-directory sanitize; fi

sanitize: bootstrap peers
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDLK_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ctest --output-on-failure -j $(JOBS) -LE bench $(CTEST_ARGS)

# Only the library, the quickstart program and the CLI its last lines suggest
# (no tests, no benchmarks).
run: bootstrap $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) --target quickstart deltalake
	@$(BUILD)/quickstart

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

bench: bootstrap peers build
	@if [ -x bench/run.sh ]; then bash bench/run.sh; else echo "no benchmarks yet"; fi

fuzz: bootstrap
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DDLK_FUZZ=ON -DDLK_SANITIZE=ON
	cmake --build build-fuzz -j $(JOBS)
	@if [ -x fuzz/run.sh ]; then bash fuzz/run.sh build-fuzz; fi

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(SAN_BUILD) build-fuzz build-clang
