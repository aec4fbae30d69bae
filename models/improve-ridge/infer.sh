#!/bin/sh
# IMPROVE-style infer: infer.sh CUDA_VISIBLE_DEVICES CANDLE_DATA_DIR [--flags]; see README.md.
exec "${IMPROVE_PYTHON:-/usr/bin/python3}" "$(dirname -- "$0")/improve_ridge.py" infer "$@"
