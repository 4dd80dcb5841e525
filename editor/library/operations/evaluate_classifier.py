"""Accuracy, precision, recall and F1 of a trained classifier on a test set."""

import numpy as np


def predict(model, features):
    x = (features - model["mean"]) / model["std"]
    if model["kind"] == "logistic":
        scores = x @ model["weights"] + model["bias"]
    else:
        raise ValueError(f"unknown model kind {model['kind']!r}")
    return (scores > 0).astype(float)


def run(ctx, model, test: str) -> dict:
    rows = np.loadtxt(test, delimiter=",", skiprows=1, ndmin=2)
    features, labels = rows[:, :-1], rows[:, -1]
    predicted = predict(model, features)
    tp = float(np.sum((predicted == 1) & (labels == 1)))
    fp = float(np.sum((predicted == 1) & (labels == 0)))
    fn = float(np.sum((predicted == 0) & (labels == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    metrics = {
        "accuracy": float(np.mean(predicted == labels)),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "test_rows": len(labels),
    }
    for name in ("accuracy", "precision", "recall", "f1"):
        ctx.log_metric(name, metrics[name])
    print("evaluation: " + ", ".join(f"{k}={v:.3f}" for k, v in metrics.items() if k != "test_rows"))
    return {"metrics": metrics}
