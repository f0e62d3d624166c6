r"""The Cox proportional-hazards datafit: the negative log partial likelihood.

Notation.  Sample ``i`` has weight ``s_i`` (the weights sum to ``n``),
linear predictor ``eta_i``, event indicator ``d_i``, and is at risk on
``(start_i, stop_i]`` within its stratum (``start_i = -inf`` for plain
right-censored data).  The deaths are grouped by (stratum, time): group
``g`` holds the tied deaths ``T_g`` at time ``t_g``, of total weight
``W_g = sum_{i in T_g} s_i`` and ``k_g`` members; its risk set is
``R_g = {j in the stratum: start_j < t_g <= stop_j}``, and
``S_g = sum_{j in R_g} s_j e^{eta_j}``, ``E_g = sum_{j in T_g} s_j e^{eta_j}``.

The objective, a mean over samples,

.. math::

    F(\eta) = \frac{1}{n} \sum_i -s_i d_i \eta_i
    + \sum_g c_g \sum_{r=0}^{K_g - 1} \log(S_g - \phi_r E_g) - C,

is Breslow's partial likelihood with ``K_g = 1``, ``phi_0 = 0`` and
``c_g = W_g / n``, and Efron's with ``K_g = k_g``, ``phi_r = r / k_g`` and
``c_g = W_g / (n k_g)`` (the mean weight of the tied deaths, as R's
``survival::coxph`` weighs them).  The constant ``C`` makes ``F >= 0``:
``C = (1/n) sum_g W_g log W_g + sum_g c_g sum_r log(1 - phi_r)``, the infimum
for Breslow's ties and for Efron's with equal weights in each tie (and a
lower bound otherwise, since ``S_g - phi_r E_g >= (1 - phi_r) E_g``).  So
``2 F`` is the deviance, as glmnet reports it.

Gradient and Hessian diagonal in O(n) after one sort.  With
``v_j = s_j e^{eta_j}``, ``a_g = c_g sum_r 1 / D_gr`` and
``alpha_g = c_g sum_r phi_r / D_gr`` (``D_gr = S_g - phi_r E_g``),

.. math::

    \partial_j F = -\frac{s_j d_j}{n}
    + v_j \Big(\sum_{g: j \in R_g} a_g - [j \in T_{g(j)}]\, \alpha_{g(j)}\Big),

and likewise the diagonal of the Hessian (glmnet's IRLS weights).  Every
sample's risk sets are a contiguous range of the death groups of its
stratum in time order, so the ``S_g`` are a reverse cumulative sum (a sample
enters at its last group and leaves below its first) and the sums over
``g: j in R_g`` are differences of a prefix sum.

The certificate.  Each ``log D_gr`` is a log-sum-exp ``L_u(eta) = log sum_j
u_j e^{eta_j}`` with weights ``u_j = s_j (1 - phi_r [j in T_g])`` on
``R_g``, whose conjugate is the relative entropy on the simplex,
``L_u^*(q) = sum_j q_j log(q_j / u_j)`` for ``q >= 0``, ``sum q = 1``,
``supp q`` in ``R_g`` (``+inf`` otherwise).  Writing ``F = sum_m c_m L_m -
e'eta - C`` (``m`` runs over the pairs ``(g, r)``, ``e_j = s_j d_j / n``),
the conjugate of a sum of functions finite everywhere is the infimal
convolution of their conjugates:

.. math::

    F^*(u) = C + \inf \Big\{ \sum_m c_m L_m^*(q_m) :
    \sum_m c_m q_m - e = u,\ q_m \in \Delta(R_g) \Big\}.

At ``eta``, ``grad F = sum_m c_m p_m - e`` with ``p_m`` the softmax of
``eta`` weighted by ``u_m``.  Let ``e'_g`` spread ``T_g``'s deaths by weight,
``(e'_g)_j = s_j / W_g`` on ``T_g``: it lies in every ``Delta(R_g)`` of the
group (a death is in its own risk set, and ``u_j > 0`` there since
``phi_r < 1``), and ``sum_m c_m e'_m = e``.  For ``t`` in ``[0, 1]`` the
choice ``q_m = (1 - t) e'_m + t p_m`` is then feasible for
``u = t grad F(eta)``, so

.. math::

    F^*(t \nabla F(\eta)) \le B(t) = C + \sum_m c_m L_m^*\big((1-t) e'_m + t p_m\big),

and ``D(t) = -B(t) + t o'\nabla F - g^*(-t X'\nabla F)`` is a lower bound on
the dual, hence ``P - D(t)`` a valid duality gap.  At ``t = 1``,
``q_m = p_m`` and ``L_m^*(p_m) = p_m'eta - L_m(eta)`` (Fenchel-Young with
equality), so ``B(1) = grad F' eta - F(eta)`` is exact and the gap tends to
0 at the optimum.  In closed form, with ``P_T = (1 - phi_r) E_g / D_gr``,

.. math::

    L_m^*(q_m) = t (1 - P_T) (\log t - \log D_{gr})
    + t \frac{\sum_{j \in R_g \setminus T_g} v_j \eta_j}{D_{gr}}
    + \sum_{j \in T_g} q_j \log\frac{q_j}{u_j},

an O(n) pass for Breslow's ties and O(sum_g k_g^2) for Efron's.
"""

import weakref

import numpy as np
from numba import njit

from ._base import BaseDatafit, SampleWeighted

__all__ = ["Cox", "survival_target", "concordance_index"]

#: The fields of an encoded survival target.
SURVIVAL_FIELDS = ("start", "stop", "event", "strata")
#: Risk-set sums (relative to the largest exp(eta)) below this are out of
#: range: their square would underflow in the Hessian.
_TINY = 1e-150
_DTYPE = np.dtype([("start", "f8"), ("stop", "f8"), ("event", "f8"), ("strata", "i8")])


def survival_target(time, event, *, start=None, strata=None):
    """Build a survival target from its arrays, as R's ``Surv`` does.

    Each sample is at risk on ``(start, time]`` within its stratum and has
    the event (death) at ``time`` or is censored there.  The result is what
    :class:`Cox` reads; 2-column (time, event) arrays and scikit-survival's
    structured arrays are accepted by the estimators as they are.

    Parameters
    ----------
    time : array-like of shape (n_samples,)
        Time of the event or of censoring (the ``stop`` of counting-process
        data), ``>= 0``.
    event : array-like of shape (n_samples,)
        1 (or True) for an event, 0 for censoring.
    start : array-like of shape (n_samples,) or None, default=None
        Entry times of counting-process data: sample ``i`` is at risk on
        ``(start_i, time_i]``.  None: at risk from the origin.
    strata : array-like of shape (n_samples,) or None, default=None
        Stratum labels: risk sets are formed within each stratum.

    Returns
    -------
    y : structured ndarray of shape (n_samples,)
        Fields ``start``, ``stop``, ``event``, ``strata`` (integer codes of
        the labels in sorted order; the labels are kept in the dtype's
        metadata, so that a fitted model names its strata by them), the
        target that :class:`Cox`, :func:`sparsefit.compute_path` and the
        estimators take.

    Raises
    ------
    ValueError
        Naming the argument: a negative or non-finite time, an event not in
        {0, 1}, a ``start`` not below ``time``, no event at all, or
        mismatched lengths.

    See Also
    --------
    Cox : The datafit that reads it.
    sparsefit.CoxLasso : The estimator.

    Examples
    --------
    >>> from sparsefit.datafits import survival_target
    >>> y = survival_target([5.0, 3.0, 8.0], [1, 0, 1])
    >>> y["stop"], y["event"]
    (array([5., 3., 8.]), array([1., 0., 1.]))
    """
    stop = _times(time, "time")
    n = stop.shape[0]
    events = np.asarray(event)
    if events.shape != (n,):
        raise ValueError(
            f"event must have the shape of time, {(n,)}; got {events.shape}."
        )
    if events.dtype.kind not in "biuf" or not np.isin(events, (0, 1)).all():
        bad = np.flatnonzero(~np.isin(events, (0, 1)))
        where = f" (row {bad[0]}: {events[bad[0]]!r})" if bad.size else ""
        raise ValueError(f"event must hold 0 and 1 only{where}.")
    if not events.any():
        raise ValueError("event has no event (all samples censored): nothing to fit.")
    dtype = _DTYPE
    if strata is not None:
        labels = np.asarray(strata)
        if labels.shape != (n,):
            raise ValueError(
                f"strata must have the shape of time, {(n,)}; got {labels.shape}."
            )
        names, codes = np.unique(labels, return_inverse=True)
        # The labels ride on the dtype (kept by slicing, indexing and
        # pickling), so that a fitted model names its strata as given.
        dtype = np.dtype(_DTYPE, metadata={"strata_labels": names})
    y = np.empty(n, dtype=dtype)
    y["stop"], y["event"] = stop, events.astype(float)
    y["start"] = -np.inf
    if start is not None:
        first = _times(start, "start", n)
        bad = np.flatnonzero(first >= stop)
        if bad.size:
            raise ValueError(
                f"start must be below time; row {bad[0]} has start "
                f"{first[bad[0]]!r} and time {stop[bad[0]]!r}."
            )
        y["start"] = first
    y["strata"] = 0 if strata is None else codes.ravel()
    return y


def _times(values, name, n=None):
    try:
        t = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric times.") from None
    if t.ndim != 1 or (n is not None and t.shape[0] != n):
        want = "a 1d array" if n is None else f"shape {(n,)}"
        raise ValueError(f"{name} must be {want}; got shape {t.shape}.")
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        raise ValueError(
            f"{name} must hold finite times >= 0; row {bad[0]} is {t[bad[0]]!r}."
        )
    return t


def encode_survival(y, n_samples):
    """The encoded target from what users pass: an encoded target, a
    2-column (time, event) array as glmnet's ``Surv``, a 3-column (start,
    stop, event) array, or a structured array with an event field and a time
    field, as scikit-survival's (``(event, time)``, by field type)."""
    y = np.asarray(y)
    if y.dtype.names is not None:
        names = y.dtype.names
        if set(SURVIVAL_FIELDS) <= set(names):
            start = None if np.isneginf(y["start"]).all() else y["start"]
            out = survival_target(
                y["stop"], y["event"], start=start, strata=strata_labels(y)
            )
        elif len(names) == 2:
            kinds = [y.dtype[f].kind for f in names]
            ev, tm = (0, 1) if kinds[0] == "b" or kinds[1] != "b" else (1, 0)
            out = survival_target(y[names[tm]], y[names[ev]])
        else:
            raise ValueError(
                "y must be a structured array with an event and a time field; "
                f"got the fields {list(names)}."
            )
    elif y.ndim == 2 and y.shape[1] in (2, 3):
        cols = y.astype(float)
        if y.shape[1] == 2:
            out = survival_target(cols[:, 0], cols[:, 1])
        else:
            out = survival_target(cols[:, 1], cols[:, 2], start=cols[:, 0])
    else:
        raise ValueError(
            "y must be a survival target: an (n, 2) array of (time, event), an "
            "(n, 3) array of (start, stop, event), or a structured array with "
            f"event and time fields; got an array of shape {y.shape}."
        )
    if out.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} rows but y has {out.shape[0]} (mismatched lengths)."
        )
    return out


def strata_labels(y):
    """The stratum label of each sample of an encoded target: the labels
    given to :func:`survival_target` when it kept them, else the codes."""
    names = (y.dtype.metadata or {}).get("strata_labels")
    return y["strata"] if names is None else np.asarray(names)[y["strata"]]


class _RiskSets:
    """The death groups and every sample's range of them (one sort)."""

    def __init__(self, y):
        n = y.shape[0]
        stop, event, strata = y["stop"], y["event"] > 0, y["strata"]
        deaths = np.flatnonzero(event)
        order = np.lexsort((stop[deaths], strata[deaths]))
        deaths = deaths[order]
        key_s, key_t = strata[deaths], stop[deaths]
        new = np.ones(deaths.size, bool)
        new[1:] = (key_s[1:] != key_s[:-1]) | (key_t[1:] != key_t[:-1])
        starts = np.flatnonzero(new)
        self.members = deaths.astype(np.int64)
        self.gptr = np.append(starts, deaths.size).astype(np.int64)
        g_strata, g_time = key_s[starts], key_t[starts]
        m = starts.size
        self.dgroup = np.full(n, -1, dtype=np.int64)
        self.dgroup[deaths] = np.cumsum(new) - 1
        self.gfirst = np.empty(m, dtype=np.int64)
        self.lo = np.zeros(n, dtype=np.int64)
        self.hi = np.zeros(n, dtype=np.int64)
        for h in np.unique(strata):
            a = int(np.searchsorted(g_strata, h, side="left"))
            b = int(np.searchsorted(g_strata, h, side="right"))
            self.gfirst[a:b] = a
            rows = np.flatnonzero(strata == h)
            times = g_time[a:b]
            self.lo[rows] = a + np.searchsorted(times, y["start"][rows], side="right")
            self.hi[rows] = a + np.searchsorted(times, stop[rows], side="right")
        self.event = event.astype(float)


@njit(cache=True, nogil=True)
def _risk_sums(u, lo, hi, gfirst, gptr, members):
    """``sum_{R_g} u`` and ``sum_{T_g} u`` for every death group ``g``."""
    m = gfirst.shape[0]
    add, sub = np.zeros(m), np.zeros(m)
    for j in range(u.shape[0]):
        if lo[j] < hi[j]:
            add[hi[j] - 1] += u[j]
            sub[lo[j]] += u[j]
    S, E = np.empty(m), np.zeros(m)
    run = 0.0
    for g in range(m - 1, -1, -1):
        run += add[g]
        S[g] = run
        # At a stratum's first group every sample still counted enters there:
        # restart from an exact 0 rather than subtracting.
        run = 0.0 if gfirst[g] == g else run - sub[g]
        for a in range(gptr[g], gptr[g + 1]):
            E[g] += u[members[a]]
    return S, E


@njit(cache=True, nogil=True)
def _group_sums(v, veta, lo, hi, gfirst, gptr, members):
    """``S_g``, ``sum_{R_g} v eta``, ``E_g`` and ``sum_{T_g} v eta``."""
    S, E = _risk_sums(v, lo, hi, gfirst, gptr, members)
    SV, EV = _risk_sums(veta, lo, hi, gfirst, gptr, members)
    for g in range(S.shape[0]):
        # The deaths are in their own risk set: S_g >= E_g, whatever the
        # rounding of the subtractions left.
        S[g] = max(S[g], E[g])
    return S, SV, E, EV


@njit(cache=True, nogil=True)
def _group_terms(s, gptr, members, efron):
    """Per group: ``W_g``, ``k_g`` (deaths of positive weight), ``K_g``."""
    m = gptr.shape[0] - 1
    W = np.zeros(m)
    k = np.zeros(m, dtype=np.int64)
    for g in range(m):
        for a in range(gptr[g], gptr[g + 1]):
            if s[members[a]] > 0:
                W[g] += s[members[a]]
                k[g] += 1
    K = k.copy() if efron else np.minimum(k, 1)
    return W, k, K


@njit(cache=True, nogil=True)
def _shifted(eta, s):
    top = -np.inf
    for j in range(eta.shape[0]):
        if s[j] > 0 and eta[j] > top:
            top = eta[j]
    if not np.isfinite(top):
        top = 0.0
    e = eta - top
    v = s * np.exp(e)
    return e, v, v * e


@njit(cache=True, nogil=True)
def _cox_kernel(
    eta, s, d, lo, hi, gfirst, gptr, members, dgroup, efron, n_total, with_value=True
):
    """``(F + C, grad, hess_diag)`` of the class docstring's objective (the
    value 0 without ``with_value``: a logarithm per death less)."""
    n, m = eta.shape[0], gfirst.shape[0]
    e, v, veta = _shifted(eta, s)
    S, SV, E, EV = _group_sums(v, veta, lo, hi, gfirst, gptr, members)
    W, k, K = _group_terms(s, gptr, members, efron)
    a1, a2 = np.zeros(m), np.zeros(m)
    b1, b2 = np.zeros(m), np.zeros(m)
    value = 0.0
    for g in range(m):
        if K[g] == 0:
            continue
        c = W[g] / (n_total * K[g])
        for r in range(K[g]):
            phi = r / k[g] if efron else 0.0
            D = S[g] - phi * E[g]
            if not D > _TINY:
                # The risk set's exp(eta_j - max eta) nearly underflowed (its
                # square would): the linear predictor spans more than ~340,
                # far outside any fit (a line search's trial point); report
                # it as out of range.
                return np.inf, np.zeros(n), np.zeros(n)
            if with_value:
                value += c * np.log(D)
            inv = 1.0 / D
            a1[g] += c * inv
            a2[g] += c * phi * inv
            b1[g] += c * inv * inv
            b2[g] += c * (2 * phi - phi * phi) * inv * inv
    # Prefix sums of a_g and b_g within each stratum.
    q1, qb = np.empty(m), np.empty(m)
    run1, runb = 0.0, 0.0
    for g in range(m):
        if gfirst[g] == g:
            run1, runb = 0.0, 0.0
        run1 += a1[g]
        runb += b1[g]
        q1[g], qb[g] = run1, runb
    grad, hess = np.zeros(n), np.zeros(n)
    for j in range(n):
        if with_value:
            value -= s[j] * d[j] * e[j] / n_total
        A, B = 0.0, 0.0
        if lo[j] < hi[j]:
            A, B = q1[hi[j] - 1], qb[hi[j] - 1]
            if lo[j] > gfirst[lo[j]]:
                A -= q1[lo[j] - 1]
                B -= qb[lo[j] - 1]
        g = dgroup[j]
        if g >= 0:
            A -= a2[g]
            B -= b2[g]
        grad[j] = v[j] * A - s[j] * d[j] / n_total
        hess[j] = max(v[j] * A - v[j] * v[j] * B, 0.0)
    return value, grad, hess


@njit(cache=True, nogil=True)
def _rest_sums(v, lo, hi, gfirst, gptr, members, dgroup):
    """``R_g = sum_{R_g \\ T_g} v`` and ``E_g = sum_{T_g} v``, each a sum of
    positive terms (``R_g`` is not ``S_g - E_g``, whose subtraction would
    lose the digits that matter near a saturated fit)."""
    m = gfirst.shape[0]
    add, sub, dead = np.zeros(m), np.zeros(m), np.zeros(m)
    for j in range(v.shape[0]):
        if lo[j] < hi[j]:
            if dgroup[j] >= 0:
                dead[dgroup[j]] += v[j]
            else:
                add[hi[j] - 1] += v[j]
            sub[lo[j]] += v[j]
    R = np.empty(m)
    run = 0.0
    for g in range(m - 1, -1, -1):
        run += add[g]
        R[g] = run
        # The deaths of group g are at risk at the earlier groups.
        run += dead[g]
        if gfirst[g] == g:
            run = 0.0
        else:
            run = max(run - sub[g], 0.0)
    return R, dead


@njit(cache=True, nogil=True)
def _cox_value(eta, s, lo, hi, gfirst, gptr, members, dgroup, efron, n_total):
    """``F`` of the module docstring (the constant ``C`` taken off), as a sum
    of non-negative terms, one per death group:

    ``(1/n) [W_g log(E_g / W_g) - sum_{T_g} s_i eta_i]
    + c_g sum_r log1p(R_g / ((1 - phi_r) E_g))``

    (Jensen makes the first one >= 0; it is exactly 0 for an untied death).
    Near a saturated fit each term is small and computed to its own relative
    precision, where ``sum c_g log D_gr - e'eta - C`` would cancel."""
    e, v, _ = _shifted(eta, s)
    R, E = _rest_sums(v, lo, hi, gfirst, gptr, members, dgroup)
    W, k, K = _group_terms(s, gptr, members, efron)
    total = 0.0
    for g in range(gfirst.shape[0]):
        if K[g] == 0:
            continue
        if not R[g] + E[g] > _TINY:
            # Out of range, as the gradient kernel reports it (_cox_kernel).
            return np.inf
        if k[g] > 1:
            top = -np.inf
            for a in range(gptr[g], gptr[g + 1]):
                j = members[a]
                if s[j] > 0 and e[j] > top:
                    top = e[j]
            own, lin = 0.0, 0.0
            for a in range(gptr[g], gptr[g + 1]):
                j = members[a]
                if s[j] > 0:
                    own += s[j] * np.exp(e[j] - top)
                    lin += s[j] * (e[j] - top)
            total += (W[g] * np.log(own / W[g]) - lin) / n_total
        c = W[g] / (n_total * K[g])
        for r in range(K[g]):
            phi = r / k[g] if efron else 0.0
            # Deaths whose relative risk underflowed (E_g = 0) make the
            # partial likelihood 0: the value is +inf, not a division error.
            if not (R[g] + (1.0 - phi) * E[g] > _TINY and E[g] > 0.0):
                return np.inf
            total += c * np.log1p(R[g] / ((1.0 - phi) * E[g]))
    return total


@njit(cache=True, nogil=True)
def _cox_value_columns(Z, s, lo, hi, gfirst, gptr, members, dgroup, efron, n_total):
    """:func:`_cox_value` at each column of ``Z``."""
    out = np.empty(Z.shape[1])
    for k in range(Z.shape[1]):
        eta = np.ascontiguousarray(Z[:, k])
        out[k] = _cox_value(
            eta, s, lo, hi, gfirst, gptr, members, dgroup, efron, n_total
        )
    return out


@njit(cache=True, nogil=True)
def _cox_conjugate_bound(eta, s, lo, hi, gfirst, gptr, members, efron, n_total, t):
    """``B(t) - C`` of the module docstring, for ``t`` in [0, 1]."""
    args = (eta, s, lo, hi, gfirst, gptr, members, efron, n_total)
    return _cox_conjugate_bounds(*args, t, t)[0]


@njit(cache=True, nogil=True)
def _cox_conjugate_bounds(
    eta, s, lo, hi, gfirst, gptr, members, efron, n_total, t1, t2
):
    """``B(t1) - C`` and ``B(t2) - C`` (see :func:`_cox_conjugate_bound`):
    the risk sets' sums are the same at every ``t``; only the entropy terms
    are taken twice (once when ``t1 == t2``)."""
    e, v, veta = _shifted(eta, s)
    S, SV, E, EV = _group_sums(v, veta, lo, hi, gfirst, gptr, members)
    W, k, K = _group_terms(s, gptr, members, efron)
    both = t1 != t2
    total1, total2 = 0.0, 0.0
    for g in range(gfirst.shape[0]):
        if K[g] == 0:
            continue
        c = W[g] / (n_total * K[g])
        for r in range(K[g]):
            phi = r / k[g] if efron else 0.0
            D = S[g] - phi * E[g]
            if not D > _TINY:
                return np.inf, np.inf  # see _cox_kernel: a trivial upper bound
            rest = max(1.0 - (1.0 - phi) * E[g] / D, 0.0)
            lin = SV[g] - EV[g]
            part1 = _entropy_part(
                t1, rest, lin, D, phi, s, v, W[g], gptr[g], gptr[g + 1], members
            )
            total1 += c * part1
            if both:
                part2 = _entropy_part(
                    t2, rest, lin, D, phi, s, v, W[g], gptr[g], gptr[g + 1], members
                )
                total2 += c * part2
    return total1, total2 if both else total1


@njit(cache=True, nogil=True)
def _entropy_part(t, rest, lin, D, phi, s, v, W, first, last, members):
    """One pair ``(g, r)``'s term of ``B(t)``, its deaths ``members[first:last]``."""
    part = 0.0
    if t > 0:
        part = t * rest * (np.log(t) - np.log(D)) + t * lin / D
    for a in range(first, last):
        j = members[a]
        if s[j] == 0:
            continue
        u = s[j] * (1.0 - phi)
        q = (1.0 - t) * s[j] / W + t * (1.0 - phi) * v[j] / D
        if q > 0:
            part += q * np.log(q / u)
    return part


@njit(cache=True, nogil=True)
def _unpack(ix):
    """The risk sets from the integer part of the compiled target (see
    :meth:`Cox._compiled_target`): views, no copy."""
    n, m, k = ix[0], ix[1], ix[2]
    at = 4
    lo, hi, dgroup = (
        ix[at : at + n],
        ix[at + n : at + 2 * n],
        ix[at + 2 * n : at + 3 * n],
    )
    at += 3 * n
    gfirst, gptr = ix[at : at + m], ix[at + m : at + 2 * m + 1]
    members = ix[at + 2 * m + 1 : at + 2 * m + 1 + k]
    return lo, hi, dgroup, gfirst, gptr, members, ix[3] != 0


@njit(cache=True, nogil=True)
def _compiled_terms(y, ix, z, sw, g, h):
    """``F`` (:func:`_cox_value`) and, when ``g``, ``h`` have length n, the
    gradient and Hessian diagonal of :func:`_cox_kernel`: the compiled
    terms of ``datafits/_compiled.py``, ``y`` holding the events and ``C``."""
    n = z.shape[0]
    lo, hi, dgroup, gfirst, gptr, members, efron = _unpack(ix)
    s = sw if sw.shape[0] == n else np.ones(n)
    value = _cox_value(z, s, lo, hi, gfirst, gptr, members, dgroup, efron, float(n))
    if g.shape[0] == n or h.shape[0] == n:
        _, grad, hess = _cox_kernel(
            z, s, y[:n], lo, hi, gfirst, gptr, members, dgroup, efron, float(n)
        )
        if g.shape[0] == n:
            g[:] = grad
        if h.shape[0] == n:
            h[:] = hess
    return value


@njit(cache=True, nogil=True)
def _compiled_derivatives(y, ix, z, sw, g, h):
    """The gradient and Hessian diagonal of :func:`_compiled_terms`, without
    the value (no pass of :func:`_cox_value`)."""
    n = z.shape[0]
    lo, hi, dgroup, gfirst, gptr, members, efron = _unpack(ix)
    s = sw if sw.shape[0] == n else np.ones(n)
    _, grad, hess = _cox_kernel(
        z, s, y[:n], lo, hi, gfirst, gptr, members, dgroup, efron, float(n), False
    )
    g[:] = grad
    h[:] = hess


@njit(cache=True, nogil=True)
def _compiled_conjugate_pair(y, ix, z, t1, t2, sw):
    """:func:`_compiled_conjugate` at ``t1`` and ``t2`` in one pass."""
    n = z.shape[0]
    lo, hi, _, gfirst, gptr, members, efron = _unpack(ix)
    s = sw if sw.shape[0] == n else np.ones(n)
    b1, b2 = _cox_conjugate_bounds(
        z, s, lo, hi, gfirst, gptr, members, efron, float(n), t1, t2
    )
    b1 = b1 + y[n] if 0.0 <= t1 <= 1.0 else np.inf
    b2 = b2 + y[n] if 0.0 <= t2 <= 1.0 else np.inf
    return b1, b2


@njit(cache=True, nogil=True)
def _compiled_conjugate(y, ix, z, t, sw):
    """``B(t)`` of the module docstring (``inf`` for ``t`` outside [0, 1]):
    :meth:`Cox.conjugate_at` as the compiled terms take it."""
    if not 0.0 <= t <= 1.0:
        return np.inf
    n = z.shape[0]
    lo, hi, _, gfirst, gptr, members, efron = _unpack(ix)
    s = sw if sw.shape[0] == n else np.ones(n)
    bound = _cox_conjugate_bound(
        z, s, lo, hi, gfirst, gptr, members, efron, float(n), t
    )
    return bound + y[n]


@njit(cache=True, nogil=True)
def _compiled_curvature(y, ix, z, sw, grad):
    """The Hessian of ``F`` in ``z`` as a diagonal less a low-rank part,

    ``H = diag(d) - sum_m c_m p_m p_m'``, over the pairs ``m = (g, r)``,
    with ``p_m`` the softmax of ``z`` weighted by ``u_m`` on ``R_g`` (the
    module docstring's log-sum-exp terms) and ``d = sum_m c_m p_m``.
    Returns ``(d, c, D, phi, group, v)``: ``p_m = (1 - phi_m [i in T_g]) v_i
    / D_m`` on ``R_g``, ``g = group[m]`` (``v`` relative to the largest
    ``exp(z)``), so that :func:`_compiled_project` gives ``p_m' x``; ``grad``
    is ``dF/dz`` at ``z``, which the caller has."""
    n = z.shape[0]
    lo, hi, _, gfirst, gptr, members, efron = _unpack(ix)
    s = sw if sw.shape[0] == n else np.ones(n)
    _, v, _ = _shifted(z, s)
    S, E = _risk_sums(v, lo, hi, gfirst, gptr, members)
    W, k, K = _group_terms(s, gptr, members, efron)
    size = K.sum()
    c, D, phi = np.empty(size), np.empty(size), np.empty(size)
    group = np.empty(size, np.int64)
    m = 0
    for g in range(K.shape[0]):
        for r in range(K[g]):
            phi[m] = r / k[g] if efron else 0.0
            c[m] = W[g] / (n * K[g])
            # The deaths are in their own risk set: S_g >= E_g.
            D[m] = max(max(S[g], E[g]) - phi[m] * E[g], _TINY)
            group[m] = g
            m += 1
    # sum_m c_m p_m is the gradient (``grad``, dF/dz at z, which the caller
    # has) less its linear part, -s d / n.
    d = np.empty(n)
    for i in range(n):
        d[i] = max(grad[i] + s[i] * y[i] / n, 0.0)
    return d, c, D, phi, group, v


@njit(cache=True, nogil=True)
def _compiled_project(ix, curvature, X):
    """``p_m' x`` for every pair ``m`` of :func:`_compiled_curvature` and
    every column ``x`` of ``X`` (n, k): an array (k, pairs), from one pass
    over the samples for all the columns."""
    _, c, D, phi, group, v = curvature
    lo, hi, _, gfirst, gptr, members, _ = _unpack(ix)
    n, k = X.shape
    m = gfirst.shape[0]
    # _risk_sums of each column of v * X, the same sums in the same order.
    add, sub = np.zeros((m, k)), np.zeros((m, k))
    for j in range(n):
        if lo[j] < hi[j]:
            top, bottom = hi[j] - 1, lo[j]
            for col in range(k):
                u = v[j] * X[j, col]
                add[top, col] += u
                sub[bottom, col] += u
    S, E = np.empty((m, k)), np.zeros((m, k))
    run = np.zeros(k)
    for g in range(m - 1, -1, -1):
        first = gfirst[g] == g
        for col in range(k):
            run[col] += add[g, col]
            S[g, col] = run[col]
            run[col] = 0.0 if first else run[col] - sub[g, col]
        for a in range(gptr[g], gptr[g + 1]):
            j = members[a]
            for col in range(k):
                E[g, col] += v[j] * X[j, col]
    out = np.empty((k, c.shape[0]))
    for q in range(c.shape[0]):
        g = group[q]
        for col in range(k):
            out[col, q] = (S[g, col] - phi[q] * E[g, col]) / D[q]
    return out


class Cox(SampleWeighted, BaseDatafit):
    """Weighted negative log partial likelihood of Cox's model, a mean over samples.

    .. math::

        F(y, \\eta) = \\frac{1}{n} \\sum_{i=1}^n s_i d_i
        \\Big[-\\eta_i + \\log \\sum_{j \\in R_i} s_j e^{\\eta_j}\\Big] - C

    with Breslow's ties (``ties="breslow"``, as glmnet), or Efron's
    (``ties="efron"``, as R's ``coxph`` and lifelines), where ``d_i`` is the
    event indicator and ``R_i`` the samples of ``i``'s stratum at risk at
    its time ``t_i`` (``start_j < t_i <= stop_j``).  ``C`` is the value at
    the saturated model, so that ``F >= 0`` and ``2 F`` is the deviance.  The
    partial likelihood is blind to a constant added to ``eta``: the model
    has no intercept (``shift_invariant``).  The target ``y`` is a
    structured array made by :func:`survival_target`.  The duality gap
    comes from the conjugate of the log-sum-exp (the module's docstring
    derives it): :meth:`conjugate_at` bounds ``F^*`` at a scaled gradient.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_samples,) or None
        Weights already rescaled to sum to ``n_samples``.
    ties : {"breslow", "efron"}, default="breslow"
        How tied event times are handled.

    See Also
    --------
    survival_target : Build the target.
    sparsefit.CoxLasso : The L1-penalised Cox regression.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.datafits import Cox, survival_target
    >>> y = survival_target([1.0, 2.0, 3.0], [1, 1, 0])
    >>> eta = np.zeros(3)
    >>> round(Cox().value(y, eta), 6)  # (log 3 + log 2) / 3
    0.597253
    >>> Cox().raw_grad(y, eta).round(6)
    array([-0.222222, -0.055556,  0.277778])
    """

    #: Its branch in ``datafits/_compiled.py``.
    _kind = 2

    curvature = np.inf
    target = "survival"
    #: ``F(eta + c) = F(eta)``: the model has no intercept.
    shift_invariant = True
    scorings = ("deviance", "c_index")

    def __init__(self, sample_weight=None, *, ties="breslow"):
        super().__init__(sample_weight)
        if ties not in ("breslow", "efron"):
            raise ValueError(f"ties must be 'breslow' or 'efron', got {ties!r}.")
        self.ties = ties
        self._cache = None
        self._last = None

    def __getstate__(self):
        # The risk sets are cached for one target by a weak reference, which
        # does not pickle; they are rebuilt on first use.
        state = self.__dict__.copy()
        state["_cache"] = state["_last"] = None
        return state

    def _risk(self, y):
        if y.dtype.names is None or not set(SURVIVAL_FIELDS) <= set(y.dtype.names):
            raise ValueError(
                "A Cox datafit takes a survival target (see survival_target); got "
                f"an array of dtype {y.dtype}."
            )
        cached = self._cache
        if cached is None or cached[0]() is not y:
            cached = (weakref.ref(y), _RiskSets(y))
            self._cache = cached
        return cached[1]

    def _args(self, y, z):
        risk = self._risk(y)
        n = y.shape[0]
        # The weights as the kernels read them, kept with the risk sets for
        # these weights: the solvers ask for values thousands of times.
        held = getattr(risk, "weights", None)
        if held is None or held[0] is not self.sample_weight:
            sw = np.ones(n) if self.sample_weight is None else self.sample_weight
            held = risk.weights = (
                self.sample_weight,
                np.ascontiguousarray(sw, dtype=float),
            )
        z = np.ascontiguousarray(z, dtype=float)
        return risk, held[1], z, n

    def _compiled_target(self, y):
        """The target as the compiled terms read it, kept with the risk sets
        of ``y`` for these weights and ties: ``(events and C, float64)`` and
        ``(n, m, members, efron, lo, hi, dgroup, gfirst, gptr, members)``,
        int64 (see :func:`_unpack`), as a 2-d array of one row (see
        ``datafits/_compiled.py``)."""
        risk = self._risk(y)
        held = getattr(risk, "compiled", None)
        key = (self.sample_weight, self.ties)
        if held is None or held[0] is not key[0] or held[1] != key[1]:
            head = [y.shape[0], risk.gfirst.size, risk.members.size]
            head.append(int(self.ties == "efron"))
            parts = (head, risk.lo, risk.hi, risk.dgroup, risk.gfirst, risk.gptr)
            ix = np.concatenate(
                [np.asarray(a, np.int64) for a in parts + (risk.members,)]
            )
            # One row of a 2-d array: the type that selects Cox's kernels.
            ix = ix.reshape(1, -1)
            yf = np.append(risk.event, self._constant(y))
            held = risk.compiled = (*key, yf, ix)
        return held[2], held[3]

    def _constant(self, y):
        """``C``: the saturated model's value (module docstring), kept with
        the risk sets of ``y`` for these weights."""
        risk = self._risk(y)
        sw = self.sample_weight
        cached = getattr(risk, "constant", None)
        if cached is None or cached[0]() is not sw:
            # A weak reference to the weights (None has none): the same
            # weights object, not merely the same address, reuses the value.
            ref = weakref.ref(sw) if sw is not None else (lambda: None)
            cached = risk.constant = (ref, self._saturated(y))
        return cached[1]

    def _saturated(self, y):
        risk, sw, _, n = self._args(y, np.zeros(y.shape[0]))
        W, k, K = _group_terms(sw, risk.gptr, risk.members, self.ties == "efron")
        live = K > 0
        W, k, K = W[live], k[live], K[live]
        total = float(W @ np.log(W)) / n
        if self.ties == "efron":
            for Wg, kg in zip(W, k, strict=True):
                total += Wg / (n * kg) * float(np.log(1 - np.arange(kg) / kg).sum())
        return total

    def _kernel(self, y, z):
        # The solvers ask for the value, gradient and Hessian at the same
        # point one after the other: one pass gives all three.
        last = self._last
        if (
            last is not None
            and last[0] is y
            and last[2] is self.sample_weight
            and np.array_equal(last[1], z)
        ):
            return last[3]
        out = self._kernel_pass(y, z)
        self._last = (y, np.array(z, dtype=float), self.sample_weight, out)
        return out

    def _kernel_pass(self, y, z):
        risk, sw, z, n = self._args(y, z)
        return _cox_kernel(
            z,
            sw,
            risk.event,
            risk.lo,
            risk.hi,
            risk.gfirst,
            risk.gptr,
            risk.members,
            risk.dgroup,
            self.ties == "efron",
            float(n),
        )

    def value(self, y, z):
        """Return ``F(y, z)``.

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target (see :func:`survival_target`).
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw`` (offset included).

        Returns
        -------
        value : float
            The mean negative log partial likelihood above the saturated
            model's (half the deviance); ``inf`` when ``z`` spans so wide a
            range (over about 340) that a risk set's sum nearly underflows.
        """
        risk, sw, z, n = self._args(y, z)
        return float(
            _cox_value(
                z,
                sw,
                risk.lo,
                risk.hi,
                risk.gfirst,
                risk.gptr,
                risk.members,
                risk.dgroup,
                self.ties == "efron",
                float(n),
            )
        )

    def values(self, y, Z):
        """Return ``F(y, z)`` for each column ``z`` of ``Z``.

        One compiled call for a whole path's linear predictors (a
        cross-validation scores a hundred per fold).

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target (see :func:`survival_target`).
        Z : ndarray of shape (n_samples, n_columns)
            Linear predictors, one per column.

        Returns
        -------
        values : ndarray of shape (n_columns,)
            :meth:`value` at each column.
        """
        risk, sw, _, n = self._args(y, np.zeros(y.shape[0]))
        Z = np.asfortranarray(Z, dtype=float)
        args = (risk.lo, risk.hi, risk.gfirst, risk.gptr, risk.members, risk.dgroup)
        return _cox_value_columns(Z, sw, *args, self.ties == "efron", float(n))

    def raw_grad(self, y, z):
        """Return ``dF/dz`` (the module docstring gives it).

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw`` (offset included).

        Returns
        -------
        grad : ndarray of shape (n_samples,)
            The gradient in ``z``; it sums to 0.
        """
        return self._kernel(y, z)[1].copy()  # the cached pass stays intact

    def raw_hessian(self, y, z):
        """Return the diagonal of ``d2F/dz2`` (glmnet's IRLS weights).

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw`` (offset included).

        Returns
        -------
        hess : ndarray of shape (n_samples,)
            The diagonal of the Hessian in ``z``.
        """
        return self._kernel(y, z)[2].copy()

    def conjugate_at(self, y, z, t):
        """Return an upper bound on ``F^*(t grad F(z))`` for ``t`` in [0, 1].

        The bound of the module's docstring: exact at ``t = 1``, so that the
        duality gap it gives vanishes at the optimum.

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target.
        z : ndarray of shape (n_samples,)
            The linear predictor ``Xw`` (offset included).
        t : float
            The scale of the gradient, in [0, 1].

        Returns
        -------
        bound : float
            ``B(t) >= F^*(t grad F(z))``; ``inf`` for ``t`` outside [0, 1].
        """
        if not 0.0 <= t <= 1.0:
            return np.inf
        risk, sw, z, n = self._args(y, z)
        bound = _cox_conjugate_bound(
            z,
            sw,
            risk.lo,
            risk.hi,
            risk.gfirst,
            risk.gptr,
            risk.members,
            self.ties == "efron",
            float(n),
            float(t),
        )
        return float(bound) + self._constant(y)

    def dual_scale(self, y, v):
        """Return 1, the largest scale of the gradient :meth:`conjugate_at` takes.

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target.
        v : ndarray of shape (n_samples,)
            The gradient.

        Returns
        -------
        t : float
            1.0.
        """
        return 1.0

    def null_intercept(self, y):
        """Return 0: the partial likelihood has no intercept.

        Parameters
        ----------
        y : structured ndarray of shape (n_samples,)
            The survival target.

        Returns
        -------
        intercept : float
            0.0.
        """
        return 0.0

    @staticmethod
    def inverse_link(z):
        """Return the relative risk ``exp(z)``.

        Parameters
        ----------
        z : ndarray of shape (n_samples,)
            The linear predictor.

        Returns
        -------
        risk : ndarray of shape (n_samples,)
            The hazard ratio to a sample with ``z = 0``.
        """
        return np.exp(z)


def concordance_index(y, risk, sample_weight=None, tied_tol=1e-8):
    """Compute Harrell's concordance index of risk scores on survival data.

    .. math::

        C = \\frac{\\sum_{i, j} s_i d_i [t_i < t_j \\text{ or } (t_i = t_j,
        d_j = 0)] \\big([r_i > r_j] + \\tfrac12 [r_i = r_j]\\big)}
        {\\sum_{i, j} s_i d_i [t_i < t_j \\text{ or } (t_i = t_j, d_j = 0)]}

    over pairs in the same stratum: the fraction of comparable pairs (the
    first had the event, and before the second left the study) in which the
    higher risk died first, ties in risk counting one half, as
    scikit-survival's ``concordance_index_censored`` (within ``tied_tol``).
    Entry times are ignored.

    Parameters
    ----------
    y : survival target
        Any form :func:`survival_target` builds or the families accept.
    risk : array-like of shape (n_samples,)
        Risk scores, higher meaning earlier events (the linear predictor).
    sample_weight : array-like of shape (n_samples,) or None, default=None
        Weights of the events ``s_i``.
    tied_tol : float, default=1e-8
        Risks closer than this count as tied.

    Returns
    -------
    c_index : float
        In [0, 1]; 0.5 for random scores; NaN without a comparable pair.

    Raises
    ------
    ValueError
        When ``y`` is not a survival target or the lengths differ.

    See Also
    --------
    sparsefit.CoxLasso.score : The estimator's score, this index.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.datafits import concordance_index, survival_target
    >>> y = survival_target([1.0, 2.0, 3.0, 4.0], [1, 1, 0, 1])
    >>> float(concordance_index(y, np.array([4.0, 3.0, 2.0, 1.0])))
    1.0
    """
    risk = np.asarray(risk, dtype=float).ravel()
    y = encode_survival(y, risk.shape[0])
    n = risk.shape[0]
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    time, event, strata = y["stop"], y["event"] > 0, y["strata"]
    num = den = 0.0
    for i in np.flatnonzero(event & (sw > 0)):
        comparable = (strata == strata[i]) & (
            (time > time[i]) | ((time == time[i]) & ~event)
        )
        if not comparable.any():
            continue
        diff = risk[i] - risk[comparable]
        tied = np.abs(diff) <= tied_tol
        num += sw[i] * (np.count_nonzero((diff > 0) & ~tied) + 0.5 * tied.sum())
        den += sw[i] * comparable.sum()
    return num / den if den > 0 else np.nan
