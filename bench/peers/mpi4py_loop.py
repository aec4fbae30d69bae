"""A minimal mpi4py master/worker request/reply loop with 200-byte messages, for
bench/dispatch.sh. Run as: mpirun -np N python3 mpi4py_loop.py TASKS [objects]. Prints tasks/s.

By default it moves preallocated bytearrays with Send/Recv, mpi4py's fastest path. With
`objects` it sends a bytes object with send/recv, which pickles it, as most mpi4py code does.
The two loops are written out separately: any indirection would slow the peer down."""
import sys
import time

from mpi4py import MPI

TASK, STOP = 1, 2


def object_loop(comm, rank, size, tasks):
    payload = b"x" * 200
    status = MPI.Status()
    if rank == 0:
        start = time.perf_counter()
        sent = 0
        for worker in range(1, size):
            comm.send(payload, dest=worker, tag=TASK)
            sent += 1
        for done in range(tasks):
            comm.recv(source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status)
            if sent < tasks:
                comm.send(payload, dest=status.Get_source(), tag=TASK)
                sent += 1
        elapsed = time.perf_counter() - start
        for worker in range(1, size):
            comm.send(None, dest=worker, tag=STOP)
        print(f"{tasks / elapsed:.0f}")
    else:
        while True:
            message = comm.recv(source=0, tag=MPI.ANY_TAG, status=status)
            if status.Get_tag() == STOP:
                break
            comm.send(message, dest=0, tag=TASK)


def main():
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    tasks = int(sys.argv[1])
    if sys.argv[2:] == ["objects"]:
        object_loop(comm, rank, size, tasks)
        return
    payload = bytearray(200)
    if rank == 0:
        status = MPI.Status()
        buffer = bytearray(200)
        start = time.perf_counter()
        sent = 0
        for worker in range(1, size):
            comm.Send([payload, MPI.BYTE], dest=worker, tag=TASK)
            sent += 1
        for done in range(tasks):
            comm.Recv([buffer, MPI.BYTE], source=MPI.ANY_SOURCE, tag=MPI.ANY_TAG, status=status)
            if sent < tasks:
                comm.Send([payload, MPI.BYTE], dest=status.Get_source(), tag=TASK)
                sent += 1
        elapsed = time.perf_counter() - start
        for worker in range(1, size):
            comm.Send([payload, MPI.BYTE], dest=worker, tag=STOP)
        print(f"{tasks / elapsed:.0f}")
    else:
        status = MPI.Status()
        buffer = bytearray(200)
        while True:
            comm.Recv([buffer, MPI.BYTE], source=0, tag=MPI.ANY_TAG, status=status)
            if status.Get_tag() == STOP:
                break
            comm.Send([buffer, MPI.BYTE], dest=0, tag=TASK)


if __name__ == "__main__":
    main()
