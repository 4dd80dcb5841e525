"""Declarations of the built-in operations; their code lives in `operations/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

OPERATIONS_DIR = Path(__file__).parent / "operations"


def _port(name: str, type_: str, description: str = "", optional: bool = False) -> dict[str, Any]:
    return {"name": name, "type": type_, "description": description, "optional": optional}


def _param(name: str, type_: str, default: Any, description: str = "", **limits: Any) -> dict[str, Any]:
    """A parameter; `limits` are `minimum`, `maximum` (numbers) or `choices`."""
    return {"name": name, "type": type_, "default": default, "description": description, **limits}


BUILTIN_OPERATIONS: list[dict[str, Any]] = [
    {
        "slug": "make_dataset",
        "name": "Make dataset",
        "category": "Data",
        "description": "Generate a synthetic two-class dataset (Gaussian blobs) as CSV.",
        "outputs": [_port("dataset", "file", "CSV with feature columns and a `label` column")],
        "parameters": [
            _param("n_samples", "int", 600, "Number of rows", minimum=10, maximum=1_000_000),
            _param("n_features", "int", 4, "Number of feature columns", minimum=1, maximum=1000),
            _param("separation", "float", 2.0, "Distance between the class centres", minimum=0),
            _param("seed", "int", 42, "Random seed"),
        ],
        "requirements": ["numpy"],
    },
    {
        "slug": "split_dataset",
        "name": "Split dataset",
        "category": "Data",
        "description": "Shuffle a CSV dataset and split it into train and test sets.",
        "inputs": [_port("dataset", "file", "CSV dataset")],
        "outputs": [_port("train", "file"), _port("test", "file")],
        "parameters": [
            _param(
                "test_fraction",
                "float",
                0.25,
                "Share of rows held out for testing",
                minimum=0.01,
                maximum=0.99,
            ),
            _param("seed", "int", 0, "Random seed of the shuffle"),
        ],
        "requirements": ["numpy"],
    },
    {
        "slug": "describe_dataset",
        "name": "Describe dataset",
        "category": "Data",
        "description": "Mean, standard deviation, min and max of every column.",
        "inputs": [_port("dataset", "file", "CSV dataset")],
        "outputs": [_port("stats", "json")],
        "requirements": ["numpy"],
    },
    {
        "slug": "train_logistic_regression",
        "name": "Train logistic regression",
        "category": "Training",
        "description": "Train a logistic-regression classifier with gradient descent (numpy).",
        "inputs": [_port("train", "file", "CSV training set")],
        "outputs": [
            _port("model", "object", "Trained model (weights and scaling)"),
            _port("history", "json", "Loss per epoch"),
        ],
        "parameters": [
            _param("learning_rate", "float", 0.5, "Step size of gradient descent", minimum=0),
            _param("epochs", "int", 200, "Passes over the training rows", minimum=1, maximum=100_000),
        ],
        "requirements": ["numpy"],
    },
    {
        "slug": "evaluate_classifier",
        "name": "Evaluate classifier",
        "category": "Evaluation",
        "description": "Accuracy, precision, recall and F1 on a test set.",
        "inputs": [_port("model", "object"), _port("test", "file", "CSV test set")],
        "outputs": [_port("metrics", "json")],
        "requirements": ["numpy"],
    },
    {
        "slug": "plot_metrics",
        "name": "Plot metrics",
        "category": "Evaluation",
        "description": "Plot the loss curve and evaluation metrics into a PNG chart.",
        "inputs": [_port("history", "json", "Loss per epoch"), _port("metrics", "json")],
        "outputs": [_port("chart", "file", "PNG image")],
        "parameters": [_param("title", "str", "Training report")],
        "requirements": ["matplotlib"],
    },
    {
        "slug": "train_mlp_gpu",
        "name": "Train neural network (GPU)",
        "category": "Training",
        "description": (
            "Train a one-hidden-layer network with PyTorch on a GPU; without one, "
            "fall back to numpy on the CPU and say so in the log."
        ),
        "inputs": [_port("train", "file"), _port("test", "file")],
        "outputs": [_port("history", "json", "Loss per epoch"), _port("metrics", "json")],
        "parameters": [
            _param("hidden", "int", 32, "Hidden units", choices=[8, 16, 32, 64, 128, 256]),
            _param("epochs", "int", 300, "Passes over the training rows", minimum=1, maximum=100_000),
            _param(
                "learning_rate", "float", 0.01, "Adam's rate; the CPU fallback uses 10x with plain descent"
            ),
            _param("seed", "int", 0),
        ],
        "resources": {"cpu": 1, "memory": "2Gi", "gpus": 1, "cpu_fallback": True},
        "requirements": ["numpy", "torch"],
    },
]


def version_content(spec: dict[str, Any]) -> dict[str, Any]:
    """The OperationVersion content of a catalogue entry, source read from disk."""
    return {
        "kind": "python",
        "source": (OPERATIONS_DIR / f"{spec['slug']}.py").read_text(),
        "entrypoint": "run",
        "inputs": spec.get("inputs", []),
        "outputs": spec.get("outputs", []),
        "parameters": spec.get("parameters", []),
        "resources": spec.get("resources", {}),
        "requirements": spec.get("requirements", []),
    }
