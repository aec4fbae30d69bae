# GA CFG SYS 1: where and how the workflow runs, in the shape of Supervisor's
# workflows/GA/test/cfg-sys-1.sh.

# The number of MPI processes
# Note that 2 processes are reserved for Swift/EMEWS
# The default of 4 gives you 2 workers, i.e., 2 concurrent model runs
export PROCS=${PROCS:-4}

# MPI processes per node
export PPN=${PPN:-2}

export WALLTIME=${WALLTIME:-01:00:00}
export QUEUE=${QUEUE:-debug}
#export PROJECT=Candle_ECP

# Benchmark run timeout: benchmark run will timeout
# after the specified number of seconds.
BENCHMARK_TIMEOUT=${BENCHMARK_TIMEOUT:-3600}

# Shell timeout for benchmark in seconds
SH_TIMEOUT=${SH_TIMEOUT:-600}

# Ignore errors: If 1, unknown errors will be reported to model.log
# but will not bring down the Swift workflow.  See model.sh .
IGNORE_ERRORS=1

# Resident task workers and ranks
export TURBINE_RESIDENT_WORK_WORKERS=1
export RESIDENT_WORK_RANKS=$(( PROCS - 2 ))
