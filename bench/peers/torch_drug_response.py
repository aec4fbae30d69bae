"""PyTorch peer of Overseer's torch_mlp / torch_cnn, for bench/drug_response.sh.

Trains on NCI-60 (DrugCell format) train_DNA.txt, evaluates on val_DNA.txt, prints one JSON line.
Batches are gathered from the unmerged tables (cell mutations 55 x 2729, drug fingerprints
244 x 2048) by indexing per batch; the training set is shuffled every epoch.

  mlp: Uno-style. Cell tower 2729->1000->1000->1000 and drug tower 2048->1000->1000->1000, then
       concat(2000) -> 1000 -> 1000 -> 1000 -> 1; ReLU and dropout after every hidden layer.
  cnn: the concatenated 4777-long vector as 1 channel -> Conv1d(32, kernel 20, stride 1) -> ReLU
       -> MaxPool(10) -> Conv1d(32, 20, 1) -> ReLU -> MaxPool(10) -> flatten (32 x 45)
       -> 200 -> ReLU -> 20 -> ReLU -> 1 (no dropout).
  Both: Adam (lr 1e-4), MSE loss, float32, last partial batch kept.

train_samples_per_s = epochs x training rows / time of the training loop (batch gathering,
forward, backward, optimizer step); data loading and validation are outside it.

Threads: --threads sets torch.set_num_threads (intra-op, OpenMP); --blas-threads sets
OPENBLAS_NUM_THREADS, which OpenBLAS reads once when it is loaded, so it is set here before numpy
or torch is imported. 0 leaves either at its default (torch: 1 on Debian; OpenBLAS: all cores).
On 2 cores the MLP (dense layers: OpenBLAS GEMM) is fastest at --threads 1 --blas-threads 2 and
the CNN (convolutions: torch's own kernels) at --threads 2 --blas-threads 1; the reverse setting
costs each 1.6-4x. Without OpenBLAS installed Debian's libtorch runs on the reference BLAS.
Run with /usr/bin/python3 (Debian python3-torch).

--ranks K trains data parallel in K processes with DistributedDataParallel over gloo (Debian's
torch has no NCCL or MPI backend) on 127.0.0.1: --batch-size is the global batch, each process
takes its contiguous share of every minibatch, as Overseer's model.ranks_per_trial does, and DDP
averages the gradients. Process 0 validates and prints; samples/s counts the whole batch.
"""
import argparse
import json
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", choices=["mlp", "cnn"], required=True)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (0 = default)")
    p.add_argument("--blas-threads", type=int, default=2,
                   help="OPENBLAS_NUM_THREADS (0 = leave the environment alone)")
    p.add_argument("--data", required=True, help="NCI-60 DrugCell directory")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-rows", type=int, default=None,
                   help="use only the first R rows of train and of val (for quick checks)")
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--dropout", type=float, default=0.1, help="mlp only")
    p.add_argument("--ranks", type=int, default=1,
                   help="processes training data parallel with DDP (gloo)")
    p.add_argument("--port", type=int, default=29517, help="rendezvous port for --ranks > 1")
    p.add_argument("--eval-batch-size", type=int, default=256,
                   help="rows per validation forward pass (the CNN needs ~4 MB of activations a row)")
    return p.parse_args()


args = parse_args()
if args.blas_threads > 0:
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads)

import numpy as np  # noqa: E402  (after OPENBLAS_NUM_THREADS on purpose)
import torch  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nci60_tables as tables  # noqa: E402


def dense_stack(sizes, dropout):
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)


class UnoMLP(nn.Module):
    def __init__(self, cell_dim, drug_dim, dropout):
        super().__init__()
        self.cell = dense_stack([cell_dim, 1000, 1000, 1000], dropout)
        self.drug = dense_stack([drug_dim, 1000, 1000, 1000], dropout)
        self.top = dense_stack([2000, 1000, 1000, 1000], dropout)
        self.out = nn.Linear(1000, 1)

    def forward(self, cell, drug):
        return self.out(self.top(torch.cat([self.cell(cell), self.drug(drug)], dim=1)))


class CNN1D(nn.Module):
    def __init__(self, length):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 32, kernel_size=20, stride=1), nn.ReLU(), nn.MaxPool1d(10),
            nn.Conv1d(32, 32, kernel_size=20, stride=1), nn.ReLU(), nn.MaxPool1d(10))
        flat = self.conv(torch.zeros(1, 1, length)).numel()
        self.dense = nn.Sequential(
            nn.Flatten(), nn.Linear(flat, 200), nn.ReLU(), nn.Linear(200, 20), nn.ReLU(),
            nn.Linear(20, 1))

    def forward(self, cell, drug):
        return self.dense(self.conv(torch.cat([cell, drug], dim=1).unsqueeze(1)))


def main(rank=0):
    if args.ranks > 1:
        import torch.distributed as dist
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{args.port}", rank=rank,
                                world_size=args.ranks)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    cell_index, cells, drug_index, drugs = tables.load_features(args.data)
    train = tables.load_split(args.data, "train", cell_index, drug_index, args.max_rows)
    val = tables.load_split(args.data, "val", cell_index, drug_index, args.max_rows)
    cells_t, drugs_t = torch.from_numpy(cells), torch.from_numpy(drugs)
    tr_c, tr_d, tr_y = (torch.from_numpy(a) for a in train)
    va_c, va_d, va_y = (torch.from_numpy(a) for a in val)

    if args.arch == "mlp":
        model = UnoMLP(cells.shape[1], drugs.shape[1], args.dropout)
    else:
        model = CNN1D(cells.shape[1] + drugs.shape[1])
    if args.ranks > 1:
        # Every process seeded alike starts from the same weights; DDP also broadcasts rank 0's.
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()
    generator = torch.Generator().manual_seed(args.seed)

    n, bs = len(tr_y), args.batch_size
    model.train()
    epoch_losses = []
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for i in range(0, n, bs):
            idx = order[i:i + bs]
            total_rows = len(idx)
            if args.ranks > 1:
                idx = idx[total_rows * rank // args.ranks:total_rows * (rank + 1) // args.ranks]
            x_cell = cells_t.index_select(0, tr_c[idx])
            x_drug = drugs_t.index_select(0, tr_d[idx])
            y = tr_y[idx]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_cell, x_drug).squeeze(1), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        if args.ranks > 1:
            summed = torch.tensor([total])
            torch.distributed.all_reduce(summed)
            total = summed.item()
        epoch_losses.append(total / n)
    train_s = time.perf_counter() - start
    if rank != 0:
        return

    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(va_y), args.eval_batch_size):
            sl = slice(i, i + args.eval_batch_size)
            preds.append(model(cells_t.index_select(0, va_c[sl]),
                               drugs_t.index_select(0, va_d[sl])).squeeze(1))
    pred = torch.cat(preds).numpy()
    finite = bool(np.isfinite(pred).all()) and all(np.isfinite(epoch_losses))
    val_mse, val_r2 = tables.regression_metrics(va_y.numpy(), pred) if finite else (None, None)

    print(json.dumps({
        "peer": "pytorch",
        "arch": args.arch,
        "batch_size": bs,
        "epochs": args.epochs,
        "torch_threads": torch.get_num_threads(),
        "blas_threads": tables.blas_threads(),
        "train_rows": n,
        "val_rows": len(va_y),
        "train_s": round(train_s, 3),
        "train_samples_per_s": round(args.epochs * n / train_s, 1),
        "train_loss_last_epoch": round(epoch_losses[-1], 5) if finite else None,
        "val_mse": round(val_mse, 5) if finite else None,
        "val_r2": round(val_r2, 5) if finite else None,
        "status": "ok" if finite else "nan",
        "peak_rss_mib": round(tables.peak_rss_mib(), 1),
        "torch_version": torch.__version__,
        "blas": tables.blas_library(),
        "seed": args.seed,
        "ranks": args.ranks,
    }))


if __name__ == "__main__":
    if args.ranks > 1:
        import torch.multiprocessing as mp
        mp.spawn(main, nprocs=args.ranks)
    else:
        main()
