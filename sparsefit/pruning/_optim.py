r"""Proximal optimisers: any torch step followed by the prox of a penalty.

For a loss :math:`f` and a penalty :math:`\Omega` on chosen weights, one
proximal step replaces the optimiser's update :math:`v = w - D u` (direction
:math:`u`, per-coordinate steps :math:`D`) by

.. math::

    w \leftarrow \arg\min_x \tfrac12 \|x - v\|^2_{D^{-1}} + \Omega(x),

so that the penalty is minimised exactly, not through its subgradient: small
weights land on exact zeros during training. The step :math:`D` is the one the
optimiser actually took:

* SGD, with or without momentum (heavy ball or Nesterov) and weight decay:
  :math:`w \leftarrow w - \text{lr}\, u` along the momentum buffer :math:`u`,
  so :math:`D = \text{lr}` (a scalar).
* Adam and AdamW: :math:`w \leftarrow w - \text{lr}\, \hat m /
  (\sqrt{\hat v} + \epsilon)`, so :math:`D_j = \text{lr} / (\sqrt{\hat v_j} +
  \epsilon)` with the bias-corrected :math:`\hat v = v / (1 - \beta_2^t)`
  (AMSGrad: its running maximum). For the l1 norm the metric prox is the
  soft-threshold at :math:`\alpha D_j`, a weighted soft-threshold; for group
  penalties the exact prox in that metric, one scalar equation per group
  (see :func:`~sparsefit.pruning._prox.group_prox_`). AdamW's decoupled
  weight decay is applied by AdamW before the prox, as a separate shrinkage.
* Any other optimiser: pass ``step_fn(optimizer, group, param)`` returning
  the step (a float or a tensor shaped like ``param``).
"""

import math

import torch

__all__ = ["ProxAdamW", "ProxSGD", "ProximalOptimizer"]


def _sgd_step(optimizer, group, param):
    return float(group["lr"])


def _adam_step(optimizer, group, param):
    state = optimizer.state[param]
    _, beta2 = group["betas"]
    t = float(state["step"])
    sq = state["max_exp_avg_sq"] if group.get("amsgrad") else state["exp_avg_sq"]
    denom = sq.sqrt() / math.sqrt(1 - beta2**t) + group["eps"]
    return float(group["lr"]) / denom


def _default_step_fn(optimizer):
    if isinstance(optimizer, (torch.optim.Adam, torch.optim.AdamW)):
        return _adam_step
    if isinstance(optimizer, torch.optim.SGD):
        return _sgd_step
    raise ValueError(
        f"the step of {type(optimizer).__name__} is not known; pass "
        "step_fn(optimizer, group, param) returning the step it takes "
        "(SGD, Adam and AdamW are built in)"
    )


def _check_penalty(penalty):
    for method in ("prox_", "value", "groups"):
        if not callable(getattr(penalty, method, None)):
            raise ValueError(
                f"penalty must have a {method}() method (L1, GroupL1, "
                f"SparseGroupL1); got {penalty!r}"
            )
    return penalty


class _Terms:
    """Which parameter carries which penalty, and the prox applied after a step."""

    def __init__(self, optimizer, penalty, penalized, step_fn):
        self.step_fn = step_fn
        self.optimizer = optimizer
        self.penalties = {}
        owned = [p for group in optimizer.param_groups for p in group["params"]]
        if penalized is None:
            # Weights of Linear/Conv layers are >= 2-D; biases and norm layers,
            # left alone by default, are 1-D.
            penalized = [p for p in owned if p.ndim >= 2]
        self.add(penalty, penalized)

    def add(self, penalty, params):
        penalty = _check_penalty(penalty)
        owned = {
            id(p) for group in self.optimizer.param_groups for p in group["params"]
        }
        params = list(params)
        for i, p in enumerate(params):
            if not isinstance(p, torch.Tensor) or id(p) not in owned:
                raise ValueError(
                    f"penalized[{i}] is not a parameter of the optimizer; got "
                    f"{type(p).__name__} of shape {tuple(getattr(p, 'shape', ()))}"
                )
            self.penalties[id(p)] = penalty

    def distinct_penalties(self):
        return list({id(pen): pen for pen in self.penalties.values()}.values())

    def params(self):
        """Penalised parameters with their penalty, in the optimizer's order."""
        for group in self.optimizer.param_groups:
            for p in group["params"]:
                if id(p) in self.penalties:
                    yield group, p, self.penalties[id(p)]

    @torch.no_grad()
    def apply(self):
        step_fn = self.step_fn or _default_step_fn(self.optimizer)
        for group, p, penalty in self.params():
            # A parameter without a gradient was not moved by this step.
            if p.grad is None or penalty.alpha == 0:
                continue
            penalty.prox_(p, step_fn(self.optimizer, group, p))

    @torch.no_grad()
    def value(self):
        total = 0.0
        for _, p, penalty in self.params():
            total += float(penalty.value(p))
        return total


class _ProxMixin:
    """Adds the prox after ``step`` to a torch optimizer subclass."""

    def _init_prox(self, penalty, penalized, step_fn):
        self._terms = _Terms(self, penalty, penalized, step_fn)

    def step(self, closure=None):
        loss = super().step(closure)
        self._terms.apply()
        return loss

    @property
    def penalties(self):
        """The distinct penalty objects (their ``alpha`` may be changed)."""
        return self._terms.distinct_penalties()

    def penalized_parameters(self):
        """Return the penalised parameters with their penalty.

        Returns
        -------
        pairs : list of tuple
            ``(param, penalty)`` for each penalised parameter, in the
            optimizer's order.
        """
        return [(p, pen) for _, p, pen in self._terms.params()]

    def add_penalty(self, penalty, params):
        """Put ``penalty`` on ``params`` (replacing their previous penalty).

        Parameters
        ----------
        penalty : L1, GroupL1 or SparseGroupL1
            The penalty (any object with ``prox_``, ``value`` and ``groups``).
        params : iterable of Parameter
            Parameters of the optimizer.

        Raises
        ------
        ValueError
            If ``penalty`` lacks one of those methods or a parameter is not
            the optimizer's.
        """
        self._terms.add(penalty, params)

    def penalty_value(self):
        """Return the total penalty at the current weights, a float.

        Returns
        -------
        value : float
            The sum of each penalised parameter's penalty value.
        """
        return self._terms.value()


class ProxSGD(_ProxMixin, torch.optim.SGD):
    r"""SGD followed by the prox of a penalty with step ``lr``.

    Minimises :math:`f(w) + \Omega(w)` by :math:`w \leftarrow
    \operatorname{prox}_{\text{lr}\,\Omega}(w - \text{lr}\, u)`, where
    :math:`u` is SGD's direction (the gradient, or the momentum buffer): the
    step actually taken along :math:`u` is ``lr``, so that is the prox step.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups, as for ``torch.optim.SGD``.
    penalty : L1, GroupL1 or SparseGroupL1
        The penalty, applied to ``penalized``.
    penalized : iterable of Parameter, optional
        The penalised parameters; by default every parameter of at least two
        dimensions (the weights of Linear and Conv layers; biases and norm
        layers are left alone).
    **kwargs
        ``lr``, ``momentum``, ``weight_decay``, ``nesterov``... of
        ``torch.optim.SGD``.

    See Also
    --------
    ProxAdamW : The same with AdamW's step.
    L1 : A penalty to give it.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import L1, ProxSGD
    >>> layer = torch.nn.Linear(3, 2)
    >>> opt = ProxSGD(layer.parameters(), lr=0.1, penalty=L1(alpha=100.0))
    >>> layer(torch.ones(4, 3)).sum().backward()
    >>> opt.step()
    >>> bool((layer.weight == 0).all()), bool((layer.bias != 0).all())
    (True, True)
    """

    def __init__(self, params, penalty, penalized=None, **kwargs):
        super().__init__(params, **kwargs)
        self._init_prox(penalty, penalized, _sgd_step)


class ProxAdamW(_ProxMixin, torch.optim.AdamW):
    r"""AdamW followed by the prox of a penalty in Adam's metric.

    Adam's update :math:`w - D \hat m` has per-coordinate steps
    :math:`D_j = \text{lr} / (\sqrt{\hat v_j} + \epsilon)`; the prox is taken in
    that metric: for the l1 norm a weighted soft-threshold at
    :math:`\alpha D_j`, for group penalties the exact prox in that metric
    (one scalar equation per group, solved by Newton's method), so that the
    iterates converge to the penalised minimiser itself.

    Parameters
    ----------
    params : iterable
        Parameters or parameter groups, as for ``torch.optim.AdamW``.
    penalty : L1, GroupL1 or SparseGroupL1
        The penalty, applied to ``penalized``.
    penalized : iterable of Parameter, optional
        The penalised parameters; by default every parameter of at least two
        dimensions.
    weight_decay : float, default=0.0
        AdamW's decoupled weight decay (0 here: the penalty regularises).
    **kwargs
        ``lr``, ``betas``, ``eps``, ``amsgrad``... of ``torch.optim.AdamW``.

    See Also
    --------
    ProxSGD : The same with SGD's step.
    ProximalOptimizer : Wrap any optimizer.
    GroupL1 : A penalty to give it.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import L1, ProxAdamW
    >>> layer = torch.nn.Linear(3, 2)
    >>> opt = ProxAdamW(layer.parameters(), lr=0.1, penalty=L1(alpha=100.0))
    >>> layer(torch.ones(4, 3)).sum().backward()
    >>> opt.step()
    >>> bool((layer.weight == 0).all()), bool((layer.bias != 0).all())
    (True, True)
    """

    def __init__(self, params, penalty, penalized=None, weight_decay=0.0, **kwargs):
        super().__init__(params, weight_decay=weight_decay, **kwargs)
        self._init_prox(penalty, penalized, _adam_step)


class ProximalOptimizer:
    """Make any torch optimizer proximal: its step, then the penalty's prox.

    For a loss ``f`` and a penalty ``Omega`` on the penalised weights, each
    step replaces the optimizer's update ``v = w - D u`` by
    ``argmin_x ||x - v||^2_{D^-1} / 2 + Omega(x)``, with ``D`` the step the
    optimizer took, so that weights land on exact zeros.  The wrapper
    forwards ``zero_grad``, ``param_groups``, ``state`` and the state dict to
    the wrapped optimizer.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to wrap (it keeps its state, hyper-parameters and any
        learning-rate scheduler attached to it).
    penalty : L1, GroupL1 or SparseGroupL1
        The penalty, applied to ``penalized``.
    penalized : iterable of Parameter, optional
        The penalised parameters; by default every parameter of at least two
        dimensions.
    step_fn : callable, optional
        ``step_fn(optimizer, group, param)``, the step the optimizer took on
        ``param`` (float or tensor); built in for SGD, Adam and AdamW (see
        the module notes), required for any other optimizer.

    See Also
    --------
    ProxAdamW : The same as a subclass of AdamW.
    ProxSGD : The same as a subclass of SGD.
    SparsityController : Tune the penalty for a target sparsity.

    Examples
    --------
    >>> import torch
    >>> from sparsefit.pruning import GroupL1, ProximalOptimizer
    >>> layer = torch.nn.Linear(3, 2)
    >>> adam = torch.optim.Adam(layer.parameters(), lr=0.1)
    >>> opt = ProximalOptimizer(adam, GroupL1(alpha=100.0))
    >>> layer(torch.ones(4, 3)).sum().backward()
    >>> opt.step()
    >>> GroupL1(1.0).groups(layer.weight).tolist()
    [False, False]
    """

    def __init__(self, optimizer, penalty, penalized=None, step_fn=None):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise ValueError(
                f"optimizer must be a torch.optim.Optimizer; got "
                f"{type(optimizer).__name__}"
            )
        if step_fn is None:
            _default_step_fn(optimizer)
        self.optimizer = optimizer
        self._terms = _Terms(optimizer, penalty, penalized, step_fn)

    def step(self, closure=None):
        """Take the wrapped optimizer's step, then the prox; return the loss.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss, as for any torch
            optimizer's ``step``.

        Returns
        -------
        loss : float or None
            What the wrapped optimizer's ``step`` returned.
        """
        loss = self.optimizer.step(closure)
        self._terms.apply()
        return loss

    def zero_grad(self, set_to_none=True):
        """Reset the gradients, as the wrapped optimizer's ``zero_grad``.

        Parameters
        ----------
        set_to_none : bool, default=True
            Set the gradients to None instead of to zero.
        """
        self.optimizer.zero_grad(set_to_none=set_to_none)

    @property
    def param_groups(self):
        return self.optimizer.param_groups

    @property
    def state(self):
        return self.optimizer.state

    def state_dict(self):
        """Return the wrapped optimizer's state dict.

        Returns
        -------
        state_dict : dict
            Its state and hyper-parameters (the penalties are not included).
        """
        return self.optimizer.state_dict()

    def load_state_dict(self, state_dict):
        """Load a state dict into the wrapped optimizer.

        Parameters
        ----------
        state_dict : dict
            From :meth:`state_dict`.
        """
        self.optimizer.load_state_dict(state_dict)

    penalties = _ProxMixin.penalties
    penalized_parameters = _ProxMixin.penalized_parameters
    add_penalty = _ProxMixin.add_penalty
    penalty_value = _ProxMixin.penalty_value
