"""Plot a training-loss curve and the evaluation metrics into a PNG."""

import matplotlib

matplotlib.use("Agg")  # no display on workers
import matplotlib.pyplot as plt


def run(ctx, history: list, metrics: dict, title: str) -> dict:
    figure, (loss_axes, bar_axes) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=100)
    loss_axes.plot(range(len(history)), history, color="#3557d6")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.set_title("Training loss")
    loss_axes.grid(alpha=0.3)
    names = [name for name in ("accuracy", "precision", "recall", "f1") if name in metrics]
    values = [metrics[name] for name in names]
    bars = bar_axes.bar(names, values, color="#19a3a3")
    bar_axes.bar_label(bars, fmt="%.2f")
    bar_axes.set_ylim(0, 1.1)
    bar_axes.set_title("Evaluation")
    figure.suptitle(title)
    figure.tight_layout()
    path = ctx.output_path("chart", ".png")
    figure.savefig(path)
    plt.close(figure)
    return {"chart": path}
