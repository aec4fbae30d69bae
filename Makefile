# The README's commands. Every target installs missing Debian packages first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# One clang build with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's coverage
# instrumentation serves `test-asan` and `fuzz`; it leaves out the LibTorch plug-in and the
# benchmarks (docs/getting-started.md, "For contributors").
SANITIZE_DIR ?= build-asan
FUZZ_RUNS ?= 100000
FUZZ_SMOKE_RUNS ?= 10000
# Tests the sanitizer run leaves out, as a ctest regex; none by default (the torch tests skip
# themselves in that build).
ASAN_EXCLUDE ?=

.PHONY: all deps build test demo format clean sanitize-build test-asan fuzz fuzz-smoke \
        data/gdsc.h5 data/gdsc-tissue.h5 data/improve-fixture.h5

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
	    -DCMAKE_CXX_COMPILER=clang++ -DOVERSEER_BUILD_FUZZ=ON -DOVERSEER_WITH_TORCH=OFF \
	    -DOVERSEER_BUILD_BENCH=OFF
	cmake --build $(SANITIZE_DIR) -j$(JOBS)

test-asan: sanitize-build
	cd $(SANITIZE_DIR) && ctest --output-on-failure -j$(JOBS) $(if $(ASAN_EXCLUDE),-E '$(ASAN_EXCLUDE)')

fuzz: sanitize-build
	scripts/fuzz.sh $(SANITIZE_DIR) $(FUZZ_RUNS)

# What CI runs: a few thousand inputs per target, with a fixed seed so that a run repeats.
fuzz-smoke: sanitize-build
	FUZZ_SEED=1 scripts/fuzz.sh $(SANITIZE_DIR) $(FUZZ_SMOKE_RUNS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)/bin/overseer

# GDSC1000 as one study with one-hot drugs, for workflows/hed-gdsc.json (docs/workflows.md).
data/gdsc.h5: build
	$(BUILD_DIR)/bin/overseer data import gdsc data/gdsc1000 --drug-features onehot --tissue drop \
	    -o $@

# GDSC1000 with one study per tissue, for workflows/cross-study-gdsc.json (docs/cross-study.md).
data/gdsc-tissue.h5: build
	$(BUILD_DIR)/bin/overseer data import gdsc data/gdsc1000 --drug-features onehot --tissue drop \
	    --study-by tissue --min-study-rows 10000 -o $@

# The IMPROVE fixture (tests/data/improve/csa) imported, for workflows/improve-csa-xgboost.json
# (docs/cross-study.md).
data/improve-fixture.h5: build
	$(BUILD_DIR)/bin/overseer data import improve tests/data/improve/csa \
	    --omics gene_expression,mutation_count -o $@

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
