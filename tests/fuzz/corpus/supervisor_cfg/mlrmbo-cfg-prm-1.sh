# CFG PRM 1: an mlrMBO workflow's parameters, in the shape of Supervisor's
# workflows/mlrMBO/test/.

# mlrMBO settings

# Total iterations
PROPOSE_POINTS=${PROPOSE_POINTS:-3}
MAX_CONCURRENT_EVALUATIONS=${MAX_CONCURRENT_EVALUATIONS:-1}
MAX_ITERATIONS=${MAX_ITERATIONS:-2}
MAX_BUDGET=${MAX_BUDGET:-180}
DESIGN_SIZE=${DESIGN_SIZE:-4}

# The parameter space; Supervisor's mlrMBO reads R files, Overseer reads this JSON one.
PARAM_SET_FILE=${PARAM_SET_FILE:-$EMEWS_PROJECT_ROOT/data/ridge_param_space_ga.json}
