# Sourced by the benchmark scripts that kill jobs.

# kill_tree PID: kills a process and every descendant at once, as a batch system ends a job
# (each is stopped first, so that none can start a new child meanwhile).
kill_tree() {
  local pid=$1 children
  kill -STOP "$pid" 2>/dev/null || return 0
  children=$(pgrep -P "$pid" || true)
  for child in $children; do kill_tree "$child"; done
  kill -KILL "$pid" 2>/dev/null || true
}
