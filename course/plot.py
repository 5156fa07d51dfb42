"""Plotting: the live training plot and small image grids.

:class:`Animator` is d2l's class of the same name (introduced in 05_lenet),
made safe headless: inside a Jupyter kernel it redraws one figure in place;
anywhere else it uses matplotlib's non-interactive Agg backend and writes a
PNG, so training never fails for want of a display.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def in_notebook():
    """True inside a Jupyter (IPython kernel) session."""
    ip = sys.modules.get("IPython")
    shell = ip.get_ipython() if ip is not None and hasattr(ip, "get_ipython") else None
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _pyplot():
    import matplotlib
    if not in_notebook() and not os.environ.get("DISPLAY") and matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


class Animator:
    """Plot data points as they arrive (d2l 3.6), live in a notebook, as a PNG elsewhere."""

    def __init__(self, xlabel=None, ylabel=None, legend=(), xlim=None, ylim=None,
                 figsize=(4.5, 3), save_path=None):
        plt = _pyplot()
        self.fig, self.ax = plt.subplots(figsize=figsize)
        self.xlabel, self.ylabel, self.legend = xlabel, ylabel, list(legend)
        self.xlim, self.ylim = xlim, ylim
        self.X, self.Y = None, None
        self.live = in_notebook()
        self.save_path = Path(save_path) if save_path else (None if self.live else Path("training.png"))
        self.handle = None

    def add(self, x, ys):
        """Add one point per line: ``ys`` has one value per legend entry."""
        if not hasattr(ys, "__len__"):
            ys = [ys]
        if self.X is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for i, y in enumerate(ys):
            if y is not None:
                self.X[i].append(x)
                self.Y[i].append(y)
        self.draw()

    def draw(self):
        ax = self.ax
        ax.cla()
        for i, (xs, ys) in enumerate(zip(self.X, self.Y)):
            ax.plot(xs, ys, ("-", "m--", "g-.", "r:")[i % 4], marker="o" if len(xs) == 1 else None)
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        if self.xlim:
            ax.set_xlim(self.xlim)
        if self.ylim:
            ax.set_ylim(self.ylim)
        if self.legend:
            ax.legend(self.legend)
        ax.grid(True)
        if self.live:
            from IPython.display import display
            if self.handle is None:
                self.handle = display(self.fig, display_id=True)
            else:
                self.handle.update(self.fig)
        if self.save_path is not None:
            self.save_path.parent.mkdir(parents=True, exist_ok=True)
            self.fig.savefig(self.save_path, dpi=100, bbox_inches="tight")

    def close(self):
        """Release the figure (so Jupyter does not draw it a second time)."""
        _pyplot().close(self.fig)


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):
    """Plot a grid of images (d2l 3.5); ``imgs`` is a tensor (n, h, w) or (n, 1, h, w)."""
    plt = _pyplot()
    fig, axes = plt.subplots(num_rows, num_cols, figsize=(num_cols * scale, num_rows * scale))
    for i, ax in enumerate(getattr(axes, "flat", [axes])):
        ax.axis("off")
        if i < len(imgs):
            img = imgs[i]
            img = img.detach().cpu().squeeze(0) if hasattr(img, "detach") else img
            ax.imshow(img, cmap="gray")
            if titles:
                ax.set_title(titles[i], fontsize=8)
    return axes
