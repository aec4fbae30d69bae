"""How much faster the Uno MLP of bench/drug_response.sh could train if its towers' first layers
cost nothing: the most a sparse or deduplicated first layer can gain.

Times one Adam training step of the benchmark's architecture (towers 2729->1000->1000->1000 and
2048->1000->1000->1000, head 2000->1000->1000->1000->1, dropout 0.1, MSE) in PyTorch, against the
same network whose towers read 55 and 244 inputs (NCI-60's distinct cells and drugs), so that
their first layers are almost free. Run as: python3 uno_first_layer_bound.py [THREADS]
Prints one line per batch size: both step times and their ratio, the bound."""
import sys
import time

import torch


def tower(inputs):
    layers = []
    for width_in in (inputs, 1000, 1000):
        layers += [torch.nn.Linear(width_in, 1000), torch.nn.ReLU(), torch.nn.Dropout(0.1)]
    return torch.nn.Sequential(*layers)


class Uno(torch.nn.Module):
    def __init__(self, cell_inputs, drug_inputs):
        super().__init__()
        self.cell = tower(cell_inputs)
        self.drug = tower(drug_inputs)
        layers = []
        for width_in in (2000, 1000, 1000):
            layers += [torch.nn.Linear(width_in, 1000), torch.nn.ReLU(), torch.nn.Dropout(0.1)]
        self.head = torch.nn.Sequential(*layers, torch.nn.Linear(1000, 1))

    def forward(self, cells, drugs):
        return self.head(torch.cat([self.cell(cells), self.drug(drugs)], 1)).squeeze(1)


def step_seconds(cell_inputs, drug_inputs, batch, steps=15):
    net = Uno(cell_inputs, drug_inputs)
    optimizer = torch.optim.Adam(net.parameters(), 1e-4)
    cells, drugs, y = torch.rand(batch, cell_inputs), torch.rand(batch, drug_inputs), torch.rand(batch)

    def step():
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(net(cells, drugs), y).backward()
        optimizer.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    for batch in (32, 256):
        full = step_seconds(2729, 2048, batch)
        light = step_seconds(55, 244, batch)
        print(f"batch {batch}: step {full * 1e3:.1f} ms, with first layers almost free "
              f"{light * 1e3:.1f} ms, bound {full / light:.2f}x")


if __name__ == "__main__":
    main()
