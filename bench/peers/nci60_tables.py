"""The NCI-60 DrugCell tables, unmerged, for the bench/peers/*_drug_response.py scripts.

DIR holds cell2ind.txt (idx TAB cell), cell2mut.txt (55 x 2729 comma-separated 0/1),
drug2ind.txt (idx TAB SMILES), drug2fingerprint.csv (244 x 2048 0/1) and
{train,val,test}_DNA.txt (cell TAB SMILES TAB response, no header). Only numpy is used here, so
the torch and CSR peers do not pay for importing pandas.
"""
import os

import numpy as np


def read_index(path):
    """idx TAB name lines -> {name: idx}."""
    index = {}
    with open(path) as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                raise ValueError(f"{path}:{line_no}: expected 'idx<TAB>name'")
            index[parts[1]] = int(parts[0])
    return index


def read_features(path):
    """Comma-separated 0/1 rows -> float32 array."""
    return np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)


def load_features(data_dir):
    """Returns (cell_index, cell_features, drug_index, drug_features)."""
    cell_index = read_index(os.path.join(data_dir, "cell2ind.txt"))
    drug_index = read_index(os.path.join(data_dir, "drug2ind.txt"))
    cells = read_features(os.path.join(data_dir, "cell2mut.txt"))
    drugs = read_features(os.path.join(data_dir, "drug2fingerprint.csv"))
    if max(cell_index.values()) >= cells.shape[0] or max(drug_index.values()) >= drugs.shape[0]:
        raise ValueError(f"{data_dir}: an index file points past its feature table")
    return cell_index, cells, drug_index, drugs


def load_split(data_dir, split, cell_index, drug_index, max_rows=None):
    """{split}_DNA.txt -> (cell row ids int64, drug row ids int64, responses float32)."""
    path = os.path.join(data_dir, f"{split}_DNA.txt")
    cell_ids, drug_ids, ys = [], [], []
    with open(path) as f:
        for line_no, line in enumerate(f, 1):
            if max_rows is not None and len(ys) >= max_rows:
                break
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3:
                raise ValueError(f"{path}:{line_no}: expected 'cell<TAB>SMILES<TAB>response'")
            try:
                cell_ids.append(cell_index[parts[0]])
                drug_ids.append(drug_index[parts[1]])
            except KeyError as e:
                raise ValueError(f"{path}:{line_no}: unknown id {e}") from None
            ys.append(float(parts[2]))
    return (np.asarray(cell_ids, dtype=np.int64), np.asarray(drug_ids, dtype=np.int64),
            np.asarray(ys, dtype=np.float32))


def regression_metrics(y_true, y_pred):
    """(mse, r2) with r2 = 1 - SSE / SST around the mean of y_true."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    sse = float(np.sum((y_true - y_pred) ** 2))
    sst = float(np.sum((y_true - y_true.mean()) ** 2))
    return sse / len(y_true), 1.0 - sse / sst


def peak_rss_mib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def blas_library():
    """The real path of the libblas this process has mapped (Debian switches it through
    update-alternatives: reference BLAS, OpenBLAS pthread/openmp/serial, BLIS, ...)."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "libblas" in path or "libopenblas" in path:
                    return os.path.realpath(path)
    except OSError:
        pass
    return None


def blas_threads():
    """What OpenBLAS itself reports, or None when the mapped BLAS is not OpenBLAS."""
    import ctypes
    path = blas_library()
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(path)
        return int(lib.openblas_get_num_threads())
    except (OSError, AttributeError):
        return None


def load_pandas_tables(data_dir, splits, max_rows=None):
    """The typical pandas pipeline's first half: every table as a DataFrame (0/1 features read as
    int64, as pd.read_csv does by default). Returns (cell_frame, drug_frame, {split: responses})."""
    import pandas as pd
    cell_names = pd.read_csv(os.path.join(data_dir, "cell2ind.txt"), sep="\t", header=None,
                             names=["idx", "cell"])
    drug_names = pd.read_csv(os.path.join(data_dir, "drug2ind.txt"), sep="\t", header=None,
                             names=["idx", "smiles"])
    cell = pd.read_csv(os.path.join(data_dir, "cell2mut.txt"), header=None)
    cell.columns = [f"mut_{i}" for i in range(cell.shape[1])]
    cell.insert(0, "cell", cell_names.set_index("idx").loc[range(len(cell)), "cell"].values)
    drug = pd.read_csv(os.path.join(data_dir, "drug2fingerprint.csv"), header=None)
    drug.columns = [f"fp_{i}" for i in range(drug.shape[1])]
    drug.insert(0, "smiles", drug_names.set_index("idx").loc[range(len(drug)), "smiles"].values)
    responses = {s: pd.read_csv(os.path.join(data_dir, f"{s}_DNA.txt"), sep="\t", header=None,
                                names=["cell", "smiles", "y"], nrows=max_rows) for s in splits}
    return cell, drug, responses


def merge_pandas(cell, drug, responses):
    """The typical pipeline's second half: responses joined to both feature tables."""
    return responses.merge(cell, on="cell", how="inner").merge(drug, on="smiles", how="inner")


def current_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return None
