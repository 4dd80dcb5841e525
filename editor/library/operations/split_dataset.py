"""Shuffle a CSV dataset and split it into train and test files."""

import numpy as np


def run(ctx, dataset: str, test_fraction: float, seed: int) -> dict:
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    with open(dataset) as source:
        header = source.readline().strip()
    rows = np.loadtxt(dataset, delimiter=",", skiprows=1, ndmin=2)
    order = np.random.default_rng(seed).permutation(len(rows))
    n_test = max(1, round(len(rows) * test_fraction))
    test, train = rows[order[:n_test]], rows[order[n_test:]]
    outputs = {}
    for name, part in (("train", train), ("test", test)):
        path = ctx.output_path(name, ".csv")
        np.savetxt(path, part, delimiter=",", header=header, comments="", fmt="%.6f")
        outputs[name] = path
    print(f"split {len(rows)} rows: {len(train)} train, {len(test)} test")
    return outputs
