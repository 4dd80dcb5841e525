"""Train a logistic-regression classifier with batch gradient descent (numpy)."""

import numpy as np


def _load(path):
    rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return rows[:, :-1], rows[:, -1]


def run(ctx, train: str, learning_rate: float, epochs: int) -> dict:
    features, labels = _load(train)
    mean, std = features.mean(axis=0), features.std(axis=0) + 1e-9
    x = (features - mean) / std
    weights, bias = np.zeros(x.shape[1]), 0.0
    history = []
    for epoch in range(epochs):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        loss = float(-np.mean(labels * np.log(p + 1e-12) + (1 - labels) * np.log(1 - p + 1e-12)))
        weights -= learning_rate * (x.T @ (p - labels)) / len(labels)
        bias -= learning_rate * float(np.mean(p - labels))
        history.append(loss)
        if epoch % 10 == 0 or epoch == epochs - 1:
            ctx.log_metric("loss", loss, step=epoch)
            ctx.progress((epoch + 1) / epochs)
    print(f"trained for {epochs} epochs, final loss {history[-1]:.4f}")
    model = {"kind": "logistic", "weights": weights, "bias": bias, "mean": mean, "std": std}
    return {"model": model, "history": history}
