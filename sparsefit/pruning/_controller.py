"""Search the penalty strength along a warm-started path to hit a target."""

import copy
import math
import warnings
from dataclasses import dataclass

import torch

__all__ = ["PathPoint", "SparsityController"]


@dataclass(frozen=True)
class PathPoint:
    """One point of the controller's path, after training at ``alpha``.

    :class:`SparsityController` records one per alpha it trains at, in its
    ``path_``, and keeps the chosen one in ``point_``.

    Parameters
    ----------
    alpha : float
        The alpha of the first penalty at this point.
    sparsity : float
        Fraction of the penalised weights that are exactly zero.
    n_groups : int
        Non-zero groups over the penalised tensors (non-zero weights for
        :class:`L1`, neurons or inputs for :class:`GroupL1`).
    score : float or None
        What ``evaluate()`` returned there; None without ``evaluate``.

    See Also
    --------
    SparsityController : The search that records the points.

    Examples
    --------
    >>> from sparsefit.pruning import PathPoint
    >>> point = PathPoint(alpha=0.01, sparsity=0.7, n_groups=3, score=None)
    >>> point.sparsity, point.n_groups
    (0.7, 3)
    """

    alpha: float
    sparsity: float
    n_groups: int
    score: float | None


def _check_target(target_sparsity, target_groups):
    if (target_sparsity is None) == (target_groups is None):
        raise ValueError(
            "give exactly one of target_sparsity and target_groups; got "
            f"target_sparsity={target_sparsity!r}, target_groups={target_groups!r}"
        )
    if target_sparsity is not None and not 0 < target_sparsity < 1:
        raise ValueError(f"target_sparsity must be in (0, 1); got {target_sparsity!r}")
    if target_groups is not None and (
        not isinstance(target_groups, int) or target_groups < 0
    ):
        raise ValueError(f"target_groups must be an int >= 0; got {target_groups!r}")


class SparsityController:
    r"""Find the penalty strength that reaches a target sparsity or group count.

    The path runs as the lasso path does, warm-started, but from the dense
    end: starting at the penalties' current ``alpha``, each point multiplies
    every penalty's ``alpha`` by ``factor`` and trains ``epochs_per_alpha``
    epochs from where the previous point stopped, until the target is
    reached. The last interval is then bisected (geometrically, restarting
    from the last point short of the target) to land on the target: within
    ``tol`` for a sparsity, exactly for a number of groups when the path
    allows. The model ends in the state of the chosen point.

    Parameters
    ----------
    model : torch.nn.Module
        The network (its state, buffers included, is saved and restored).
    optimizer : ProxSGD, ProxAdamW or ProximalOptimizer
        The proximal optimizer training it; its penalties' ``alpha`` (> 0)
        start the path.
    train_epoch : callable
        ``train_epoch()`` runs one epoch of training with ``optimizer``.
    target_sparsity : float, optional
        Fraction in (0, 1) of the penalised weights to make exactly zero.
    target_groups : int, optional
        Number of groups to keep: neurons or channels for
        ``GroupL1(over="out")``, input features for ``over="in"`` (then
        ``n_groups`` counts them over all penalised tensors).
    factor : float, default=1.5
        Ratio of consecutive alphas on the path.
    epochs_per_alpha : int, default=1
        Epochs at each alpha: enough for the sparsity to settle, since the
        bisection compares points trained that long from a common start.
    max_alphas : int, default=50
        Points on the path before giving up (a ``ValueError`` follows).
    n_bisect : int, default=6
        Bisection steps once the target is passed.
    tol : float, default=0.005
        Accepted excess over ``target_sparsity``.
    evaluate : callable, optional
        ``evaluate()`` returns a score (say validation accuracy) recorded at
        every point.

    Attributes
    ----------
    path_ : list of PathPoint
        Every point trained, in order.
    alpha_ : float
        The alpha of the first penalty at the chosen point.
    point_ : PathPoint
        The chosen point: of the points that reached the target, the nearest
        to it.
    on_target_ : bool
        Whether that point is within ``tol`` of ``target_sparsity`` (or keeps
        exactly ``target_groups``); a ``UserWarning`` gives the value reached
        beside the target when it is not, or when the starting alpha already
        passes the target.

    See Also
    --------
    ProxSGD : A proximal optimizer to give it.
    sparsity_report : What the chosen network has left.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import L1, ProxSGD, SparsityController
    >>> _ = torch.manual_seed(0)
    >>> X = torch.randn(200, 10)
    >>> y = X[:, :3].sum(dim=1, keepdim=True)  # 3 of the 10 inputs matter
    >>> net = torch.nn.Linear(10, 1)
    >>> opt = ProxSGD(net.parameters(), lr=0.05, penalty=L1(alpha=1e-3))
    >>> def train_epoch():
    ...     for _ in range(20):
    ...         opt.zero_grad()
    ...         torch.nn.functional.mse_loss(net(X), y).backward()
    ...         opt.step()
    >>> ctl = SparsityController(net, opt, train_epoch, target_sparsity=0.7).run()
    >>> ctl.on_target_, ctl.point_.sparsity, int((net.weight != 0).sum())
    (True, 0.7, 3)
    """

    def __init__(
        self,
        model,
        optimizer,
        train_epoch,
        *,
        target_sparsity=None,
        target_groups=None,
        factor=1.5,
        epochs_per_alpha=1,
        max_alphas=50,
        n_bisect=6,
        tol=0.005,
        evaluate=None,
    ):
        _check_target(target_sparsity, target_groups)
        if not factor > 1:
            raise ValueError(f"factor must be > 1; got {factor!r}")
        self.model, self.optimizer = model, optimizer
        self.train_epoch, self.evaluate = train_epoch, evaluate
        self.target_sparsity, self.target_groups = target_sparsity, target_groups
        self.factor, self.epochs_per_alpha = factor, epochs_per_alpha
        self.max_alphas, self.n_bisect, self.tol = max_alphas, n_bisect, tol
        self._base = [(pen, pen.alpha) for pen in optimizer.penalties]
        if not self._base or self._base[0][1] <= 0:
            raise ValueError("the optimizer's penalties must start with alpha > 0")

    def _set_alpha(self, alpha):
        first = self._base[0][1]
        # The first penalty gets alpha itself (alpha * a / a may round to a
        # neighbour of alpha); the others keep their ratio to it.
        self._base[0][0].alpha = alpha
        for pen, alpha0 in self._base[1:]:
            pen.alpha = alpha * (alpha0 / first)

    @torch.no_grad()
    def _measure(self):
        n_zero = n_total = n_groups = 0
        for p, pen in self.optimizer.penalized_parameters():
            n_zero += int((p == 0).sum())
            n_total += p.numel()
            n_groups += int(pen.groups(p).sum())
        return n_zero / n_total, n_groups

    def _train_at(self, alpha):
        self._set_alpha(alpha)
        for _ in range(self.epochs_per_alpha):
            self.train_epoch()
        sparsity, n_groups = self._measure()
        score = None if self.evaluate is None else float(self.evaluate())
        point = PathPoint(alpha, sparsity, n_groups, score)
        self.path_.append(point)
        return point

    def _reached(self, point):
        if self.target_groups is not None:
            return point.n_groups <= self.target_groups
        return point.sparsity >= self.target_sparsity

    def _on_target(self, point):
        if self.target_groups is not None:
            return point.n_groups == self.target_groups
        return point.sparsity <= self.target_sparsity + self.tol

    def _closer(self, point, other):
        """Whether ``point`` (past the target) is nearer it than ``other``."""
        if self.target_groups is not None:
            return point.n_groups > other.n_groups
        return point.sparsity < other.sparsity

    def _save(self):
        return copy.deepcopy((self.model.state_dict(), self.optimizer.state_dict()))

    def _restore(self, saved):
        model_state, optimizer_state = copy.deepcopy(saved)
        self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(optimizer_state)

    def run(self):
        """Run the path and the bisection; return ``self``.

        Raises a ValueError when ``max_alphas`` points do not reach the
        target.

        Returns
        -------
        self : SparsityController
            With ``path_``, ``point_``, ``alpha_`` and ``on_target_`` set, and
            the model in the state of the chosen point.
        """
        self.path_ = []
        alpha = self._base[0][1]
        short = (None, self._save())
        for _ in range(self.max_alphas):
            point = self._train_at(alpha)
            if self._reached(point):
                break
            short = (alpha, self._save())
            alpha *= self.factor
        else:
            raise ValueError(
                f"the target was not reached in max_alphas={self.max_alphas} "
                f"points (last: alpha={point.alpha:.3g}, "
                f"sparsity={point.sparsity:.3f}, n_groups={point.n_groups}); "
                "raise factor or max_alphas"
            )
        best = (point, self._save())
        lo, hi = short[0], alpha
        if lo is None and not self._on_target(point):
            warnings.warn(
                f"the starting alpha={alpha:.4g} already passes the target: "
                f"{self._describe(point)}; start from a smaller alpha (the "
                "penalties' alpha when the controller is made) to search below it",
                UserWarning,
                stacklevel=2,
            )
        for _ in range(self.n_bisect if lo is not None else 0):
            if self._on_target(best[0]):
                break
            mid = math.sqrt(lo * hi)
            self._restore(short[1])
            point = self._train_at(mid)
            if self._reached(point):
                hi = mid
                if self._closer(point, best[0]):
                    best = (point, self._save())
            else:
                lo, short = mid, (mid, self._save())
        self._restore(best[1])
        self._set_alpha(best[0].alpha)
        self.point_, self.alpha_ = best[0], best[0].alpha
        self.on_target_ = self._on_target(best[0])
        if lo is not None and not self.on_target_:
            warnings.warn(
                f"the search ended off the target: {self._describe(best[0])} "
                f"at alpha={best[0].alpha:.4g} after {self.n_bisect} bisection "
                "steps; raise n_bisect or epochs_per_alpha, or lower factor",
                UserWarning,
                stacklevel=2,
            )
        return self

    def _describe(self, point):
        """The value reached beside the target."""
        if self.target_groups is not None:
            return f"{point.n_groups} groups kept (target {self.target_groups})"
        return (
            f"sparsity {point.sparsity:.4f} (target {self.target_sparsity}, "
            f"tol {self.tol})"
        )
