"""Why the l1 penalty is exact: min (x - 2)^2 subject to x <= 1.
=============================================================

The solution is x* = 1 with multiplier lambda* = 2. The l1 penalty function
phi_1(x; mu) = (x - 2)^2 + mu max(0, x - 1) has its minimiser exactly at 1
for every mu > 2 (a kink holds it there); the quadratic penalty
phi_2(x; mu) = (x - 2)^2 + mu max(0, x - 1)^2 has its minimiser at
(2 + mu) / (1 + mu), which reaches 1 only as mu goes to infinity. The
minimisers marked on the figure are computed by ``minimize_l1``.

Run: ``.venv/bin/python examples/exact_penalty.py [--out DIR]`` (writes
exact_penalty.png into DIR, by default ``sparsefit-examples/exact_penalty``).
"""

import argparse
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from sparsefit.constrained import minimize_l1  # noqa: E402

PROBLEM = {
    "fun": lambda x: (x[0] - 2) ** 2,
    "jac": lambda x: np.array([2 * (x[0] - 2)]),
    "hess": lambda x: np.array([[2.0]]),
    "constraints": {
        "type": "ineq",
        "fun": lambda x: 1 - x[0],
        "jac": lambda x: np.array([[-1.0]]),
        "hess": lambda x, v: np.zeros((1, 1)),
    },
}
MUS = {"l1": [1.0, 1.5, 2.5, 5.0], "quadratic": [1.0, 5.0, 20.0, 100.0]}


def penalised(x, mu, penalty):
    excess = np.maximum(x - 1, 0)
    return (x - 2) ** 2 + mu * (excess if penalty == "l1" else excess**2)


def output_folder(name):
    """``--out`` (default ``sparsefit-examples/NAME`` in the current folder),
    created if missing."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=Path("sparsefit-examples", name),
        help="folder for the figures, created if missing (default: %(default)s)",
    )
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    return out


def main(out):
    x = np.linspace(0.0, 2.5, 501)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, (penalty, mus) in zip(axes, MUS.items(), strict=True):
        colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(mus)))
        for mu, color in zip(mus, colors, strict=True):
            res = minimize_l1(x0=[0.0], mu=mu, penalty=penalty, **PROBLEM)
            x_min = res.x[0]
            ax.plot(x, penalised(x, mu, penalty), color=color, label=f"mu = {mu:g}")
            ax.plot(x_min, penalised(x_min, mu, penalty), "o", color=color)
            print(
                f"{penalty:9s} mu = {mu:6g}: minimiser {x_min:.12f}, "
                f"status {res.status}, mu_threshold {res.mu_threshold:.6f}"
            )
        ax.plot(x, (x - 2) ** 2, "k:", lw=1, label="f(x) = (x - 2)^2")
        ax.axvline(1.0, color="grey", lw=0.8, ls="--")
        ax.axvspan(1.0, x[-1], color="grey", alpha=0.08)
        ax.set_xlabel("x")
        ax.set_ylim(0, 4.5)
        ax.set_title(
            "l1 penalty: exact for mu > 2"
            if penalty == "l1"
            else "quadratic penalty: minimiser (2 + mu)/(1 + mu) > 1"
        )
        ax.legend(loc="upper left", fontsize=8)
    axes[0].set_ylabel("phi(x; mu)")
    fig.suptitle("min (x - 2)^2 subject to x <= 1 (shaded: infeasible)")
    fig.tight_layout()
    fig.savefig(out / "exact_penalty.png", dpi=120)
    print(f"figure written to {out / 'exact_penalty.png'}")


if __name__ == "__main__":
    main(output_folder("exact_penalty"))
