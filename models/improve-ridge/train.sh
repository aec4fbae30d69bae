#!/bin/sh
# IMPROVE's container entry point: train.sh CUDA_VISIBLE_DEVICES CANDLE_DATA_DIR [--flags].
# The flags go to ridge_train_improve.py as they are.
export CUDA_VISIBLE_DEVICES="$1" CANDLE_DATA_DIR="$2" IMPROVE_DATA_DIR="$2"
shift 2
exec "${IMPROVE_PYTHON:-/usr/bin/python3}" "$(dirname -- "$0")/ridge_train_improve.py" "$@"
