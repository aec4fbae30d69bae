#!/bin/bash
#SBATCH --job-name=demo
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=ABC123
#SBATCH --output=/runs/demo/slurm-%j.out
#SBATCH --signal=USR1@120
#SBATCH --overcommit
# Written by overseer submit for site laptop-slurm: 2 node(s), 6 ranks, 3 per node.
set -e
srun --mpi=pmix --overcommit --ntasks=6 /opt/overseer/bin/overseer run /work/demo.json --out /runs/demo --site /runs/demo/site.json --set search.budget=50
