#!/bin/bash
# Written by overseer submit for site laptop: 2 node(s), 6 ranks, 3 per node.
set -e
mpirun --oversubscribe -np 6 /opt/overseer/bin/overseer run /work/demo.json --out /runs/demo --site /runs/demo/site.json --set search.budget=50
