#!/usr/bin/env bash
# Installs Overseer's build and test dependencies from Debian packages (h5py, pandas and
# chromium check results.h5 and the HTML report in tests; clang, its sanitizer and libFuzzer
# runtimes and llvm's symbolizer serve `make test-asan` and `make fuzz`).
# Idempotent and non-interactive; returns at once when everything is present.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  openmpi-bin libopenmpi-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libtorch-dev libopenblas0-pthread libxgboost-dev xgboost
  libhdf5-dev zlib1g-dev librdkit-dev libboost-dev libeigen3-dev libnlopt-cxx-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev llvm
  python3 python3-numpy python3-h5py python3-pandas
  slurmctld slurmd slurm-client munge chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
