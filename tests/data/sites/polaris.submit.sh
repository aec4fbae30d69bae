#!/bin/bash -l
#PBS -N demo
#PBS -l select=2
#PBS -l walltime=01:30:00
#PBS -A ABC123
#PBS -j oe
#PBS -o /runs/demo/pbs.out
#PBS -l place=scatter
#PBS -l filesystems=home:eagle
#PBS -k doe
# Written by overseer submit for site polaris: 2 node(s), 8 ranks, 4 per node.
set -e
module load PrgEnv-gnu
mpiexec -n 8 --ppn 4 --depth=8 --cpu-bind depth /opt/overseer/bin/overseer run /work/demo.json --out /runs/demo --site /runs/demo/site.json --set search.budget=50
