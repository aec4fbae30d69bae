# Sourced by the benchmark scripts: installs the Debian packages their peers need.

# install_python_peers PYTHON MODULE:PACKAGE ...: installs the package of every module that
# PYTHON cannot import, plus any extra package names given without a colon. The package lists
# are refreshed only when the install fails.
install_python_peers() {
  local python=$1 need=() item
  shift
  for item in "$@"; do
    case $item in
      *:*) "$python" -c "import ${item%%:*}" 2>/dev/null || need+=("${item#*:}") ;;
      *) need+=("$item") ;;
    esac
  done
  [ ${#need[@]} -gt 0 ] || return 0
  local as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  local install=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
    --no-install-recommends "${need[@]}")
  "${install[@]}" >/dev/null || { "${as_root[@]}" apt-get update -q >/dev/null && "${install[@]}" >/dev/null; }
}
