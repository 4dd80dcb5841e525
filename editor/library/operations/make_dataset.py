"""Synthetic two-class data: Gaussian blobs written as a CSV file."""

import numpy as np


def run(ctx, n_samples: int, n_features: int, separation: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n_samples)
    centers = np.stack([np.zeros(n_features), np.full(n_features, separation)])
    features = centers[labels] + rng.normal(size=(n_samples, n_features))
    header = ",".join([f"x{i}" for i in range(n_features)] + ["label"])
    table = np.column_stack([features, labels])
    path = ctx.output_path("dataset", ".csv")
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")
    print(f"wrote {n_samples} rows with {n_features} features to dataset.csv")
    return {"dataset": path}
