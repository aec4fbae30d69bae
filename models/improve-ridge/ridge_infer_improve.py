#!/usr/bin/python3
"""IMPROVE's infer stage of the ridge model; see README.md and ridge_model.py."""
import sys

import ridge_model

if __name__ == "__main__":
    ridge_model.main("Infer", sys.argv[1:])
