#!/bin/bash
#SBATCH --job-name=demo
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=ABC123
#SBATCH --qos=regular
#SBATCH --output=/runs/demo/slurm-%j.out
#SBATCH --signal=USR1@120
#SBATCH --constraint=gpu
#SBATCH --gpus-per-node=4
# Written by overseer submit for site perlmutter: 2 node(s), 8 ranks, 4 per node.
set -e
module load PrgEnv-gnu
module load cudatoolkit
srun --nodes=2 --ntasks=8 --ntasks-per-node=4 --cpus-per-task=32 --cpu-bind=cores --gpus-per-node=4 --gpu-bind=none /opt/overseer/bin/overseer run /work/demo.json --out /runs/demo --site /runs/demo/site.json --set search.budget=50
