# CFG PRM 1: a GA workflow's parameters, in the shape of Supervisor's workflows/GA/test/.

# GA settings

SEED=${SEED:-1}
# Total iterations
NUM_ITERATIONS=${NUM_ITERATIONS:-2}
# Size of GA population (i.e. the number of parameter sets to evaluate)
POPULATION_SIZE=${POPULATION_SIZE:-4}
# the GA strategy: one of 'simple' or 'mu_plus_lambda'. See
# https://deap.readthedocs.io/en/master/api/algo.html?highlight=eaSimple#module-deap.algorithms
# for more info.
GA_STRATEGY=${STRATEGY:-simple}
export MUT_PROB=${MUT_PROB:-0.2}
export CX_PROB=${CX_PROB:-0.5}
TOURNSIZE=${TOURNSIZE:-3}

INIT_PARAMS_FILE=${INIT_PARAMS_FILE:-}

# Set the ga parameter space definition file for running
if [ "$MODEL_NAME" = "combo" ]; then
    PARAM_SET_FILE=${PARAM_SET_FILE:-$EMEWS_PROJECT_ROOT/data/combo_param_space_ga.json}
elif [ "$MODEL_NAME" = "ridge" ]; then
    PARAM_SET_FILE=${PARAM_SET_FILE:-$EMEWS_PROJECT_ROOT/data/ridge_param_space_ga.json}
elif [ "${PARAM_SET_FILE:-}" != "" ]; then
    PARAM_SET_FILE=${EMEWS_PROJECT_ROOT}/data/${PARAM_SET_FILE}
else
    echo "Invalid model-" $MODEL_NAME
    exit 1
fi
