#!/bin/bash -l
#PBS -N demo
#PBS -l select=2
#PBS -l walltime=01:30:00
#PBS -A ABC123
#PBS -j oe
#PBS -o /runs/demo/pbs.out
#PBS -l place=scatter
#PBS -l filesystems=home:flare
#PBS -k doe
# Written by overseer submit for site aurora: 2 node(s), 24 ranks, 12 per node.
set -e
export ZE_ENABLE_PCI_ID_DEVICE_ORDER="1"
export ZE_FLAT_DEVICE_HIERARCHY="COMPOSITE"
mpiexec -n 24 --ppn 12 --cpu-bind=list:1-8:9-16:17-24:25-32:33-40:41-48:53-60:61-68:69-76:77-84:85-92:93-100 /opt/overseer/bin/overseer run /work/demo.json --out /runs/demo --site /runs/demo/site.json --set search.budget=50
