"""What every selection result records, so that a run can be checked and redone.

A random procedure draws all its randomness up front from one
``numpy.random.SeedSequence`` built from ``random_state``: the resampled
rows are fixed before any fit starts, so the selection is the same for any
number of workers.  The result keeps the seed, the rows of every fit and the
certificate of every fit it used: the largest certified relative duality gap
over all of them and the name of each fit that stopped short of its
tolerance (counted, named and warned about, never dropped).
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

__all__ = ["SelectionRecord", "seed_sequence", "path_certificate"]


def seed_sequence(random_state):
    """``(SeedSequence, recorded seed)`` for ``random_state``.

    ``random_state`` is an int >= 0, a ``SeedSequence`` or None; None draws
    fresh entropy, which is recorded, so that every run can be redone.
    """
    if isinstance(random_state, np.random.SeedSequence):
        return random_state, random_state.entropy
    if random_state is None:
        seq = np.random.SeedSequence()
        return seq, seq.entropy
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(
        random_state, (int, np.integer)
    ):
        raise ValueError(
            "random_state must be an int >= 0, a numpy SeedSequence or None, "
            f"got {random_state!r}."
        )
    if random_state < 0:
        raise ValueError(f"random_state must be >= 0, got {random_state!r}.")
    return np.random.SeedSequence(int(random_state)), int(random_state)


def path_certificate(path, tol):
    """Relative gaps of a path's fits and the indices of those not converged.

    A fit's relative gap is ``dual_gap / P(w)``; the path records the gap
    each point had to reach, ``gap_tol = tol * P(w)``, so it is
    ``tol * dual_gap / gap_tol``.  A point whose gap exceeds its ``gap_tol``
    did not converge.
    """
    gaps = np.asarray(path.dual_gaps, dtype=float)
    bounds = np.asarray(path.gap_tols, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(
            bounds > 0, tol * gaps / bounds, np.where(gaps > 0, np.inf, 0.0)
        )
    failed = np.flatnonzero(~(gaps <= bounds))
    return relative, failed


class SelectionRecord:
    """The record shared by every selection result.

    A selection is only as trustworthy as the fits behind it, and a random
    one can only be checked if it can be redone.  So every result that
    inherits this class keeps the seed its randomness came from (all drawn
    up front, so the result does not depend on the number of workers), the
    rows of every fit, the number of path points solved, the largest
    certified relative duality gap ``gap / P(w)`` among them, and the name of
    every fit that stopped short of its tolerance (warned about with a
    ``ConvergenceWarning``, never dropped).  ``to_frame`` gives one row per
    feature.

    Attributes
    ----------
    random_state_ : int or None
        The seed the run used (the entropy drawn when ``random_state`` was
        None); None for a procedure that draws nothing.
    subsamples_ : list of ndarray
        Row indices of every fit, in the order of the fits.
    n_fits_ : int
        Number of path points solved (fits x alphas).
    max_gap_ : float
        Largest certified relative duality gap ``gap / P(w)`` of any fit used.
    not_converged_ : list of str
        Each fit that stopped short of its tolerance, by name
        (for example ``"subsample 17, alpha index 42"``).

    See Also
    --------
    StabilitySelection : A selection result that carries this record.

    Notes
    -----
    A result class inherits this one, calls ``_reset_record(seed, rows)``
    before its fits, ``_add_path`` (a whole path) or ``_add_fit`` (one
    solve) for each fit it uses, ``_warn_not_converged()`` at the end, and
    defines ``_scores()`` (its columns of ``to_frame``), ``support_`` and
    ``n_features_in_`` (``feature_names_in_`` when X had column names).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsefit.selection import StabilitySelection
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> y = 2 * X[:, 0] - 2 * X[:, 1] + rng.standard_normal(100)
    >>> sel = StabilitySelection(n_resamples=5, n_alphas=20, random_state=0)
    >>> sel = sel.fit(X, y)
    >>> sel.random_state_, len(sel.subsamples_), sel.n_fits_
    (0, 10, 200)
    >>> bool(sel.max_gap_ <= 1e-4), sel.not_converged_
    (True, [])
    """

    #: The score columns of ``to_frame`` (besides ``feature`` and ``selected``).
    _score_columns = ()

    def _reset_record(self, seed, subsamples):
        self.random_state_ = seed
        self.subsamples_ = list(subsamples)
        self.n_fits_ = 0
        self.max_gap_ = 0.0
        self.not_converged_ = []

    def _add_path(self, path, tol, name):
        """Count the certificate of every point of ``path`` (fit ``name``)."""
        relative, failed = path_certificate(path, tol)
        self._count(relative, [f"{name}, alpha index {k}" for k in failed])

    def _add_fit(self, dual_gap, gap_tol, tol, name):
        """Count one fit's certificate: its gap and the gap it had to reach
        (``tol * P(w)``, the ``tol_abs`` of a solver's result)."""
        relative = tol * dual_gap / gap_tol if gap_tol > 0 else float(dual_gap > 0)
        self._count(np.array([relative]), [] if dual_gap <= gap_tol else [name])

    def _count(self, relative, failed):
        self.n_fits_ += int(relative.size)
        if relative.size:
            self.max_gap_ = max(self.max_gap_, float(np.max(relative)))
        self.not_converged_.extend(failed)

    def _warn_not_converged(self):
        bad = self.not_converged_
        if bad:
            shown = "; ".join(bad[:5]) + ("; ..." if len(bad) > 5 else "")
            warnings.warn(
                f"{len(bad)} of {self.n_fits_} fits did not reach their "
                f"tolerance (largest relative gap {self.max_gap_:.3g}): {shown}. "
                "They are listed in not_converged_; raise max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _feature_labels(self):
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(n) for n in names]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _scores(self):
        """``{column: values}``, one value per feature (subclasses)."""
        raise NotImplementedError

    def to_frame(self):
        """One row per feature: its name, the method's scores and ``selected``.

        Returns
        -------
        pandas.DataFrame
            Columns ``feature`` (the column names of ``X``, else ``x0``,
            ``x1``, ...), the method's scores (for stability selection
            ``max_probability`` and ``alpha_at_threshold``) and ``selected``
            (bool).
        """
        import pandas as pd

        frame = pd.DataFrame({"feature": self._feature_labels()})
        for column, values in self._scores().items():
            frame[column] = values
        selected = np.zeros(len(frame), dtype=bool)
        selected[np.asarray(self.support_, dtype=int)] = True
        frame["selected"] = selected
        return frame
