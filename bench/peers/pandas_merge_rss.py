"""Peak RSS of loading the NCI-60 (DrugCell format) tables with pandas and merging them into one
dense frame per split (responses joined to cell mutations and drug fingerprints), against the size
of the unmerged tables. No training: this is the memory the merge-first pipeline pays before
XGBoost sees any data. Prints one JSON line. Run with /usr/bin/python3 (Debian python3-pandas).

  rss_after_import_mib     process RSS with pandas imported, before any data
  rss_after_load_mib       RSS with the unmerged tables loaded
  unmerged_tables_mib      pandas memory_usage(deep) of the unmerged frames
  unmerged_files_mib       bytes of those files on disk
  merged_frames_mib        memory_usage(deep) of the merged frames
  peak_rss_mib             maxrss (getrusage) after the merges
"""
import argparse
import json
import os
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="NCI-60 DrugCell directory")
    p.add_argument("--splits", default="train,val", help="comma-separated, of train,val,test")
    p.add_argument("--max-rows", type=int, default=None, help="first R rows of each split")
    args = p.parse_args()

    import pandas as pd
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import nci60_tables as tables
    mib = 1024.0 * 1024.0
    rss_import = tables.current_rss_mib()

    splits = args.splits.split(",")
    cell, drug, responses = tables.load_pandas_tables(args.data, splits, args.max_rows)
    rss_load = tables.current_rss_mib()
    frames = [cell, drug, *responses.values()]
    unmerged = sum(int(f.memory_usage(deep=True).sum()) for f in frames)
    files = ["cell2ind.txt", "cell2mut.txt", "drug2ind.txt", "drug2fingerprint.csv"]
    files += [f"{s}_DNA.txt" for s in splits]
    file_bytes = sum(os.path.getsize(os.path.join(args.data, f)) for f in files)

    merged = {s: tables.merge_pandas(cell, drug, r) for s, r in responses.items()}
    merged_bytes = sum(int(m.memory_usage(deep=True).sum()) for m in merged.values())

    print(json.dumps({
        "peer": "pandas-merge",
        "splits": splits,
        "merged_rows": sum(len(m) for m in merged.values()),
        "merged_cols": int(next(iter(merged.values())).shape[1]),
        "rss_after_import_mib": round(rss_import, 1),
        "rss_after_load_mib": round(rss_load, 1),
        "unmerged_tables_mib": round(unmerged / mib, 1),
        "unmerged_files_mib": round(file_bytes / mib, 1),
        "merged_frames_mib": round(merged_bytes / mib, 1),
        "peak_rss_mib": round(tables.peak_rss_mib(), 1),
        "pandas_version": pd.__version__,
    }))


if __name__ == "__main__":
    main()
