# The README's commands. Every target installs missing Debian packages first.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps build test demo format clean data/gdsc-tissue.h5

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)/bin/overseer

# GDSC1000 with one study per tissue, for workflows/cross-study-gdsc.json (docs/cross-study.md).
data/gdsc-tissue.h5: build
	$(BUILD_DIR)/bin/overseer data import gdsc data/gdsc1000 --drug-features onehot --tissue drop \
	    --study-by tissue --min-study-rows 10000 -o $@

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR)
