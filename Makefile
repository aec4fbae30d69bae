# The README's commands. Every target installs missing Debian packages first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# A clang build with AddressSanitizer and UndefinedBehaviorSanitizer for `test-asan`; it leaves
# out the LibTorch plug-in and the benchmarks (docs/getting-started.md, "For contributors").
SANITIZE_DIR ?= build-asan
# Tests the sanitizer run leaves out, as a ctest regex; none by default (the torch tests skip
# themselves in that build).
ASAN_EXCLUDE ?=

.PHONY: all deps build test demo format clean sanitize-build test-asan \
        data/gdsc-tissue.h5

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

sanitize-build: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_C_COMPILER=clang \
	    -DCMAKE_CXX_COMPILER=clang++ -DOVERSEER_SANITIZE=ON -DOVERSEER_WITH_TORCH=OFF \
	    -DOVERSEER_BUILD_BENCH=OFF
	cmake --build $(SANITIZE_DIR) -j$(JOBS)

test-asan: sanitize-build
	cd $(SANITIZE_DIR) && ctest --output-on-failure -j$(JOBS) $(if $(ASAN_EXCLUDE),-E '$(ASAN_EXCLUDE)')

demo: build
	@scripts/demo.sh $(BUILD_DIR)/bin/overseer

# GDSC1000 with one study per tissue, for workflows/cross-study-gdsc.json (docs/cross-study.md).
data/gdsc-tissue.h5: build
	$(BUILD_DIR)/bin/overseer data import gdsc data/gdsc1000 --drug-features onehot --tissue drop \
	    --study-by tissue --min-study-rows 10000 -o $@

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
