"""The Cox family on the command line: survival columns, checks, paths, scores.

A survival target is two columns (``--time``, ``--event``), with optional
entry times (``--start``, for (start, stop] data) and strata (``--strata``).
Every check names the column and the rows at fault, so that the command
stops with one line instead of a traceback in the datafit.
"""

import numpy as np

from ._errors import UsageError

__all__ = [
    "add_survival_arguments",
    "check_survival_options",
    "survival_columns",
    "survival_target_of",
    "survival_summary",
    "survival_metrics",
    "cox_path",
    "baseline_document",
]

#: The options of a survival target, by attribute, with their flags.
_OPTIONS = {"time": "--time", "event": "--event", "start": "--start"}
_OPTIONS["strata"] = "--strata"
#: How many rows an error message lists.
_SHOW = 8


def add_survival_arguments(parser):
    """--time, --event, --start and --strata (family cox)."""
    parser.add_argument(
        "--time",
        metavar="COL",
        help="family cox: the column of event or censoring times, >= 0 "
        "(the stop time of (start, stop] data) (default: none)",
    )
    parser.add_argument(
        "--event",
        metavar="COL",
        help="family cox: the column of event indicators, 1 for an event and 0 "
        "for censoring (default: none)",
    )
    parser.add_argument(
        "--start",
        metavar="COL",
        help="family cox: entry times of (start, stop] data (default: at risk "
        "from time 0)",
    )
    parser.add_argument(
        "--strata",
        metavar="COL",
        help="family cox: stratum labels; each stratum has its own baseline "
        "hazard (default: one stratum)",
    )


def _given(args):
    return [flag for name, flag in _OPTIONS.items() if getattr(args, name, None)]


def check_survival_options(args, family):
    """The survival options fit the family; --target only without them.

    For family cox the target's name (in the outputs) is the time column.
    """
    given = _given(args)
    if family.name != "cox":
        if given:
            raise UsageError(
                f"{given[0]} is an option of family cox (survival data), not of "
                f"family {family.name}; pass --family cox"
            )
        if getattr(args, "target", None) is None:
            raise UsageError("--target is required: the column to predict")
        return
    missing = [f for f in ("--time", "--event") if f not in given]
    if missing:
        raise UsageError(
            f"family cox needs {' and '.join(missing)}: the columns of the times "
            "and of the event indicators (1 event, 0 censored)"
        )
    if args.target is not None and args.target != args.time:
        raise UsageError(
            f"family cox reads its target from --time and --event; leave out "
            f"--target (got {args.target!r})"
        )
    args.target = args.time


def survival_columns(args):
    """The columns of the survival target (none unless --time is given)."""
    return [getattr(args, name) for name in _OPTIONS if getattr(args, name, None)]


def _rows(mask):
    from ._data import _listing

    return _listing((np.flatnonzero(mask) + 1).tolist(), _SHOW)


def _numeric_column(frame, name, flag):
    from ._data import _is_numeric, _refuse_decimal_commas

    column = frame[name]
    if not _is_numeric(column):
        _refuse_decimal_commas([name], frame)
        raise UsageError(
            f"the {flag} column {name!r} must be numeric, found text such as "
            f"{str(column.dropna().iloc[0])!r}"
        )
    return column.to_numpy(dtype=float)


def _times(frame, name, flag):
    values = _numeric_column(frame, name, flag)
    negative = values < 0
    if negative.any():
        raise UsageError(
            f"the {flag} column {name!r} must hold times >= 0; it is negative in "
            f"row(s) {_rows(negative)} (numbered from 1 after the header)"
        )
    return values


def _events(frame, name):
    values = _numeric_column(frame, name, "--event")
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in np.unique(values[bad])[:_SHOW])
        raise UsageError(
            f"the --event column {name!r} must hold 1 (event) or 0 (censored); "
            f"found {shown} in row(s) {_rows(bad)}"
        )
    if not values.any():
        raise UsageError(
            f"the --event column {name!r} has no event (every row is censored): "
            "a Cox model has nothing to fit"
        )
    return values


def survival_target_of(frame, args):
    """The encoded survival target of the rows of ``frame``."""
    from ..datafits import survival_target

    time = _times(frame, args.time, "--time")
    event = _events(frame, args.event)
    start = None
    if args.start:
        start = _times(frame, args.start, "--start")
        late = start >= time
        if late.any():
            raise UsageError(
                f"the --start column {args.start!r} must be below --time "
                f"{args.time!r}; it is not in row(s) {_rows(late)}"
            )
    strata = None
    if args.strata:
        strata = frame[args.strata].astype(str).to_numpy()
    return survival_target(time, event, start=start, strata=strata)


def strata_labels(frame, column):
    """The stratum labels of the rows, as text (as the model file keeps them)."""
    return frame[column].astype(str).to_numpy()


def survival_summary(y):
    """Events, censored rows and the range of times (the report's target card)."""
    events = y["event"] > 0
    return {
        "events": int(events.sum()),
        "censored": int((~events).sum()),
        "median_time": float(np.median(y["stop"])),
        "min": float(y["stop"].min()),
        "max": float(y["stop"].max()),
        "strata": int(np.unique(y["strata"]).size),
    }


def survival_metrics(est, X, y, offset=None):
    """Held-out Harrell's C-index and deviance per event of a Cox model."""
    from ..datafits import Cox

    eta = est.predict(X, offset=offset)
    deviance = 2 * Cox(ties=est.ties).value(y, eta) * y.shape[0]
    return {
        "c_index": float(est.score(X, y, offset=offset)),
        "deviance_per_event": float(deviance / max(float(y["event"].sum()), 1.0)),
    }


def cox_path(X, y, params, offset, alphas=None, n_alphas=100, eps=None, progress=None):
    """The certified Cox path from the exact alpha_max (or on ``alphas``)."""
    import sparsefit
    from sparsefit.datafits import Cox
    from sparsefit.penalties import ElasticNetPenalty

    penalty = ElasticNetPenalty(1.0, params["l1_ratio"], params["penalty_factor"])
    return sparsefit.compute_path(
        X,
        y,
        Cox(),
        penalty,
        alphas=alphas,
        n_alphas=n_alphas,
        eps=eps,
        fit_intercept=False,
        standardize=params["standardize"],
        tol=params["tol"],
        offset=offset,
        progress=progress,
    )


def _curve(times, hazard):
    return {
        "times": [float(t) for t in times],
        "cumulative_hazard": [float(h) for h in hazard],
    }


def baseline_document(est, args):
    """The model file's ``survival`` field: the columns and Breslow's baseline
    cumulative hazard (one per stratum), for survival curves at prediction."""
    times, hazard = est.baseline_times_, est.baseline_cumulative_hazard_
    labels = est.baseline_strata_
    if labels is None:
        baseline = _curve(times, hazard)
    else:
        names = [str(h) for h in np.unique(labels)]
        own = [labels.astype(str) == h for h in names]
        baseline = {
            "strata": names,
            "curves": [_curve(times[m], hazard[m]) for m in own],
        }
    return {
        "time": args.time,
        "event": args.event,
        "start": args.start,
        "strata": args.strata,
        "ties": est.ties,
        "baseline": baseline,
    }


def _baseline_of(survival, strata, n_rows):
    """Per row: the (times, cumulative hazard) of its stratum's baseline."""
    baseline = survival.get("baseline")
    if baseline is None:
        raise UsageError(
            "this model file holds no baseline hazard; refit it to predict "
            "survival probabilities (--times)"
        )
    if "strata" not in baseline:
        return [baseline] * n_rows
    if strata is None:
        raise UsageError(
            f"the model was fitted with strata (column {survival['strata']!r}); "
            "the data must hold that column to predict survival probabilities"
        )
    index = {label: k for k, label in enumerate(baseline["strata"])}
    unknown = [k for k, label in enumerate(strata) if label not in index]
    if unknown:
        k = unknown[0]
        raise UsageError(
            f"column {survival['strata']!r} holds {strata[k]!r} (row {k + 1}), a "
            f"stratum the model did not see in training (strata: "
            f"{', '.join(map(str, baseline['strata']))})"
        )
    curves = baseline["curves"]
    return [curves[index[label]] for label in strata]


def survival_predictions(document, eta, times=None, strata=None):
    """The prediction table of a Cox model: ``link``, ``risk`` and, at each
    of ``times``, ``survival_<t>`` = ``exp(-H_0(t) exp(link))`` with ``H_0``
    Breslow's baseline of the row's stratum (a step function)."""
    out = {"link": eta, "risk": np.exp(eta)}
    if not times:
        return out
    rows = _baseline_of(document.get("survival") or {}, strata, eta.shape[0])
    grid = np.asarray(times, dtype=float)
    H = np.empty((eta.shape[0], grid.shape[0]))
    for i, curve in enumerate(rows):
        at = np.asarray(curve["times"], dtype=float)
        hazard = np.asarray(curve["cumulative_hazard"], dtype=float)
        k = np.searchsorted(at, grid, side="right") - 1
        H[i] = np.where(k >= 0, hazard[np.maximum(k, 0)], 0.0)
    surv = np.exp(-H * np.exp(eta)[:, None])
    for j, t in enumerate(grid):
        out[f"survival_{t:g}"] = surv[:, j]
    return out
