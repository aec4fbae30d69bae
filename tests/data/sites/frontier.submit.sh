#!/bin/bash
#SBATCH --job-name=demo
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=ABC123
#SBATCH --partition=batch
#SBATCH --output=/runs/demo/slurm-%j.out
#SBATCH --signal=USR1@120
#SBATCH --constraint=nvme
# Written by overseer submit for site frontier: 2 node(s), 16 ranks, 8 per node.
set -e
module load PrgEnv-gnu
module load rocm
srun --nodes=2 --ntasks=16 --ntasks-per-node=8 --cpus-per-task=7 --gpus-per-node=8 --gpu-bind=none /opt/overseer/bin/overseer run /work/demo.json --out /runs/demo --site /runs/demo/site.json --set search.budget=50
