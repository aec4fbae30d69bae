#!/usr/bin/env python3
"""Writes tests/data/improve/csa/: a small tree in the layout of the IMPROVE drug-response
benchmark data (the cross-study "CSA" data), made from the bundled GDSC1000 (data/gdsc1000), so
that `overseer data import improve` and its campaigns are tested on the real layout without the
real data, which cannot be bundled. See README.md here for what is real and what stands in.

Usage: tests/data/improve/make_fixture.py BUILD_DIR   (the Overseer build computes the ECFP4
table with RDKit, as the importer computes Morgan bits)
"""
import csv
import gzip
import math
import os
import random
import subprocess
import sys
import tempfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
GDSC = os.path.join(HERE, "..", "..", "..", "data", "gdsc1000")
OUT = os.path.join(HERE, "csa")
SOURCES = ["CCLE", "gCSI", "GDSCv1"]
SPLITS = 3
CELLS, DRUGS, GENES = 36, 16, 24


def gdsc_tables():
    with gzip.open(os.path.join(GDSC, "genomic_features_v17.csv.gz"), "rt") as f:
        rows = list(csv.reader(f))
    header, genomic = rows[0], {r[0]: r for r in rows[1:]}
    mutations = [j for j, name in enumerate(header) if name.endswith("_mut")]
    with gzip.open(os.path.join(GDSC, "cosmic_info.csv.gz"), "rt") as f:
        names = {r["COSMIC_ID"]: r["SAMPLE_NAME"] for r in csv.DictReader(f)}
    with gzip.open(os.path.join(GDSC, "IC50_v17.csv.gz"), "rt") as f:
        rows = list(csv.reader(f))
    ic50 = {r[0]: dict(zip(rows[0][1:], r[1:])) for r in rows[1:]}
    cid = {r["drug_id"]: r["PubCHEM"] for r in csv.DictReader(open(os.path.join(GDSC, "gdsc_drug_list.csv")))}
    smiles = dict(line.rstrip("\n").split("\t") for line in open(os.path.join(GDSC, "pubchem_smiles.txt")))
    return header, genomic, mutations, names, ic50, cid, smiles


def write_tsv(path, header_lines, rows):
    with open(path, "w", newline="") as f:
        for line in header_lines + rows:
            f.write("\t".join(str(x) for x in line) + "\n")


def omics(path, levels, genes, cells, value):
    """A multi-line header as pandas writes a table with MultiIndex columns and a named index:
    one line per identifier system (the level's name first), then the index's name alone."""
    header = [[level] + [gene[level] for gene in genes] for level in levels]
    header.append(["improve_sample_id"] + [""] * len(genes))
    write_tsv(path, header, [[name] + [value(name, g) for g in range(len(genes))] for name in cells])


def ecfp4(build, drug_smiles):
    """The 512-bit ECFP4 (Morgan radius 2) table, computed by Overseer's own RDKit path."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "r.csv"), "w") as f:
            f.write("cell,drug,y\n" + "".join(f"c,{d},0\n" for d, _ in drug_smiles))
        with open(os.path.join(tmp, "c.csv"), "w") as f:
            f.write("cell,g\nc,0\n")
        with open(os.path.join(tmp, "d.tsv"), "w") as f:
            f.write("improve_chem_id\tcanSMILES\n" + "".join(f"{d}\t{s}\n" for d, s in drug_smiles))
        h5 = os.path.join(tmp, "x.h5")
        subprocess.run([os.path.join(build, "bin", "overseer"), "data", "import", "csv",
                        "--responses", os.path.join(tmp, "r.csv"), "--cell-features",
                        os.path.join(tmp, "c.csv"), "--drug-smiles", os.path.join(tmp, "d.tsv"),
                        "--bits", "512", "-o", h5], check=True, stdout=subprocess.DEVNULL)
        with h5py.File(h5) as f:
            ids = [x.decode() for x in f["drugs/ids"][:]]
            return dict(zip(ids, f["drugs/features"][:].astype(int).tolist()))


def main():
    build = sys.argv[1]
    rng = random.Random(17)
    header, genomic, mutations, names, ic50, cid, smiles = gdsc_tables()
    cosmic = sorted(c for c in ic50 if c in genomic and c in names)
    cosmic = rng.sample(cosmic, CELLS + 2)
    with_omics, without = cosmic[:CELLS], cosmic[CELLS:]
    drugs = sorted((d for d in cid if cid[d] in smiles and f"Drug_{d}_IC50" in ic50[cosmic[0]]), key=int)
    drugs = rng.sample(drugs, DRUGS)
    genes = []
    for k, j in enumerate(mutations[:GENES]):
        genes.append({"Gene_Symbol": header[j][:-4], "Entrez": 9000 + k,
                      "Ensembl": f"ENSG9{k:010d}", "TSS": f"TSS_{header[j][:-4]}_1"})
    sample = {c: names[c] for c in cosmic}
    mutated = {sample[c]: [int(genomic[c][j]) for j in mutations[:GENES]] for c in with_omics}
    cells = [sample[c] for c in with_omics]

    os.makedirs(os.path.join(OUT, "x_data"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "y_data"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "splits"), exist_ok=True)
    x = lambda name: os.path.join(OUT, "x_data", name)  # noqa: E731
    noise = {(c, g): rng.gauss(0, 0.3) for c in cells for g in range(GENES)}
    omics(x("cancer_gene_expression.tsv"), ["Ensembl", "Entrez", "Gene_Symbol"], genes, cells,
          lambda c, g: f"{2 * mutated[c][g] + 5 + noise[c, g]:.4f}")
    omics(x("cancer_copy_number.tsv"), ["Entrez", "Gene_Symbol", "Ensembl"], genes, cells,
          lambda c, g: f"{1 + 0.5 * mutated[c][g] + noise[c, g] / 3:.4f}")
    omics(x("cancer_mutation_count.tsv"), ["Entrez", "Gene_Symbol", "Ensembl"], genes, cells,
          lambda c, g: mutated[c][g])
    # Methylation: two cell lines absent, and a few values missing (empty), as in the real table.
    missing = {(cells[3], 2), (cells[7], 5), (cells[11], 5)}
    omics(x("cancer_DNA_methylation.tsv"), ["TSS", "Entrez", "Ensembl", "Gene_Symbol"], genes,
          cells[:-2], lambda c, g: "" if (c, g) in missing else f"{0.5 + noise[c, g] / 2:.4f}")
    mirna = [f"hsa-mir-{100 + k}" for k in range(6)]
    write_tsv(x("cancer_miRNA_expression.tsv"), [["improve_sample_id"] + mirna],
              [[c] + [f"{noise[c, k] + 3:.4f}" for k in range(6)] for c in cells])
    write_tsv(x("cancer_RPPA.tsv"), [["improve_sample_id", "AKT_pS473", "EGFR_pY1068"]],
              [[c, f"{noise[c, 0]:.4f}", f"{noise[c, 1]:.4f}"] for c in cells])

    chem = [(f"Drug_{d}", smiles[cid[d]]) for d in drugs]
    write_tsv(x("drug_SMILES.tsv"), [["improve_chem_id", "canSMILES"]], [list(p) for p in chem])
    bits = ecfp4(build, chem)
    write_tsv(x("drug_ecfp4_nbits512.tsv"), [["improve_chem_id"] + [f"ecfp4_{b}" for b in range(512)]],
              [[d] + bits[d] for d, _ in chem])
    # Stand-ins for Mordred descriptors: atom counts from the SMILES text; one value missing.
    atoms = ["C", "N", "O", "S", "F", "Cl"]
    write_tsv(x("drug_mordred.tsv"), [["improve_chem_id", "nHeavyAtom"] + [f"n{a}" for a in atoms]],
              [[d, len([ch for ch in s if ch.isalpha()])] + ["" if (i, a) == (4, "S") else s.count(a)
                                                             for a in atoms]
               for i, (d, s) in enumerate(chem)])

    columns = ["source", "improve_sample_id", "improve_chem_id", "study", "auc", "ic50", "ec50",
               "ec50se", "r2fit", "einf", "hs", "aac1", "auc1", "dss1"]
    rows, by_source = [], {s: [] for s in SOURCES}
    for c in cosmic:
        for d in drugs:
            value = ic50[c].get(f"Drug_{d}_IC50", "")
            if not value:
                continue
            for s_index, source in enumerate(SOURCES):
                if rng.random() > 0.6:
                    continue
                ln = float(value) + rng.gauss(0, 0.4) + 0.3 * s_index
                auc = 1 / (1 + math.exp(-(ln - 2) / 2))
                auc_text = "" if rng.random() < 0.03 else f"{auc:.4f}"
                by_source[source].append(len(rows))
                rows.append([source, sample[c], f"Drug_{d}", f"{source}_fixture", auc_text,
                             f"{math.exp(ln):.4g}", f"{math.exp(ln) * 0.9:.4g}", "", f"{rng.uniform(0.7, 1):.3f}",
                             f"{rng.uniform(0, 0.3):.3f}", f"{rng.uniform(0.5, 3):.3f}",
                             f"{1 - auc:.4f}", f"{auc:.4f}", ""])
    with open(os.path.join(OUT, "y_data", "response.tsv"), "w", newline="") as f:
        for row in [columns] + rows:
            f.write("\t".join(row) + "\r\n")
    for source, ids in by_source.items():
        def write_ids(name, chosen):
            with open(os.path.join(OUT, "splits", name), "w", newline="") as f:
                f.write("".join(f"{i}\r\n" for i in chosen))
        write_ids(f"{source}_all.txt", ids)
        for k in range(SPLITS):
            shuffled = ids[:]
            random.Random(100 * k + len(source)).shuffle(shuffled)
            n_train, n_val = int(0.8 * len(ids)), int(0.1 * len(ids))
            parts = {"train": shuffled[:n_train], "val": shuffled[n_train:n_train + n_val],
                     "test": shuffled[n_train + n_val:]}
            for part, chosen in parts.items():
                write_ids(f"{source}_split_{k}_{part}.txt", sorted(chosen))
    print(f"{OUT}: {len(cells)} cell lines with omics, {len(drugs)} drugs, {len(rows)} responses")


if __name__ == "__main__":
    main()
