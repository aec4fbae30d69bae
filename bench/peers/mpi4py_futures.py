"""No-op dispatch through mpi4py.futures.MPIPoolExecutor, for bench/dispatch.sh.

Run as: mpirun -np N python3 -m mpi4py.futures mpi4py_futures.py TASKS
Prints: tasks/s, measured around the map call only (start-up excluded).
"""
import sys
import time

from mpi4py.futures import MPIPoolExecutor

PAYLOAD = b"x" * 200


def noop(payload):
    return len(payload)


def main():
    tasks = int(sys.argv[1])
    with MPIPoolExecutor() as pool:
        list(pool.map(noop, [PAYLOAD] * 100))  # warm the workers up
        start = time.perf_counter()
        for _ in pool.map(noop, [PAYLOAD] * tasks, chunksize=1):
            pass
        elapsed = time.perf_counter() - start
    print(f"{tasks / elapsed:.0f}")


if __name__ == "__main__":
    main()
