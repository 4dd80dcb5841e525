"""Train a small neural network on a GPU, or on the CPU when none is available.

Uses PyTorch with CUDA when both are present; otherwise says so in the log
and trains the same network with numpy (plain gradient descent, which
needs ten times the learning rate that Adam uses on the GPU).
"""

import os

import numpy as np


def _load(path):
    rows = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return rows[:, :-1].astype(np.float32), rows[:, -1].astype(np.float32)


def _torch_cuda():
    try:
        import torch
    except ImportError:
        return None, "PyTorch is not installed"
    if not torch.cuda.is_available():
        return None, "CUDA is not available to PyTorch"
    return torch, ""


def _train_torch(torch, x, y, x_test, y_test, hidden, epochs, lr, ctx):
    device = torch.device("cuda")
    print(f"training on GPU: {torch.cuda.get_device_name(device)}")
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
    ).to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    xt, yt = torch.tensor(x, device=device), torch.tensor(y, device=device).unsqueeze(1)
    history = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(xt), yt)
        loss.backward()
        optimizer.step()
        history.append(float(loss))
        if epoch % 10 == 0 or epoch == epochs - 1:
            ctx.log_metric("loss", history[-1], step=epoch)
            ctx.progress((epoch + 1) / epochs)
    with torch.no_grad():
        logits = net(torch.tensor(x_test, device=device)).squeeze(1).cpu().numpy()
    return history, logits


def _train_numpy(x, y, x_test, hidden, epochs, lr, seed, ctx):
    rng = np.random.default_rng(seed)
    w1 = rng.normal(scale=np.sqrt(2 / x.shape[1]), size=(x.shape[1], hidden))
    b1, w2, b2 = np.zeros(hidden), rng.normal(scale=0.1, size=hidden), 0.0
    history = []
    for epoch in range(epochs):
        h = np.maximum(0, x @ w1 + b1)
        p = 1 / (1 + np.exp(-(h @ w2 + b2)))
        history.append(float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9))))
        grad_out = (p - y) / len(y)
        grad_h = np.outer(grad_out, w2) * (h > 0)
        w2 -= lr * h.T @ grad_out
        b2 -= lr * grad_out.sum()
        w1 -= lr * x.T @ grad_h
        b1 -= lr * grad_h.sum(axis=0)
        if epoch % 10 == 0 or epoch == epochs - 1:
            ctx.log_metric("loss", history[-1], step=epoch)
            ctx.progress((epoch + 1) / epochs)
    logits = np.maximum(0, x_test @ w1 + b1) @ w2 + b2
    return history, logits


def run(ctx, train: str, test: str, hidden: int, epochs: int, learning_rate: float, seed: int) -> dict:
    x, y = _load(train)
    x_test, y_test = _load(test)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    x, x_test = (x - mean) / std, (x_test - mean) / std
    print(f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '')!r}")
    torch, reason = _torch_cuda()
    if torch is not None:
        history, logits = _train_torch(torch, x, y, x_test, y_test, hidden, epochs, learning_rate, ctx)
        device = "gpu"
    else:
        print(f"No GPU available ({reason}): falling back to the CPU with numpy.")
        history, logits = _train_numpy(x, y, x_test, hidden, epochs, learning_rate * 10, seed, ctx)
        device = "cpu"
    predicted = (logits > 0).astype(np.float32)
    accuracy = float(np.mean(predicted == y_test))
    ctx.log_metric("accuracy", accuracy)
    print(f"test accuracy {accuracy:.3f} on {device}")
    return {"history": history, "metrics": {"accuracy": accuracy, "device": device, "test_rows": len(y_test)}}
