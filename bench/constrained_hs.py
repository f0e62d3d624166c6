"""minimize_l1 against scipy's SLSQP and trust-constr on Hock-Schittkowski problems.

Every solver gets the same exact gradients and constraint Jacobians, the
standard starting point and a tight tolerance (minimize_l1: tol=1e-8, with
damped BFGS and, as "l1 + hess", with exact second derivatives; SLSQP:
ftol=1e-10; trust-constr: gtol=xtol=1e-10), and a 1000-iteration limit. Per
problem it prints iterations, objective evaluations, the reported success,
the final violation and the relative objective error against the published
optimum; "ok" says whether the point really is a solution (violation <= 1e-8
and objective error <= 1e-6). Four infeasible problems close the table (two
from scipy's issue tracker, gh-5743 and gh-10081): there a reported success
is false.

    .venv/bin/python bench/constrained_hs.py [--out bench/results/constrained_hs.txt]
"""

import argparse
import time
import warnings

import numpy as np
from scipy.optimize import minimize, rosen, rosen_der, rosen_hess

from sparsefit.constrained import minimize_l1
from sparsefit.constrained._hock_schittkowski import hock_schittkowski


def violation(problem, x):
    worst = 0.0
    for c in problem["constraints"]:
        value = np.atleast_1d(c["fun"](x))
        worst = max(worst, np.abs(value).max() if c["type"] == "eq" else -value.min())
    lb, ub = (np.array(b, dtype=float) for b in zip(*problem["bounds"], strict=True))
    lb, ub = np.nan_to_num(lb, nan=-np.inf), np.nan_to_num(ub, nan=np.inf)
    return max(worst, np.max(lb - x), np.max(x - ub), 0.0)


def run(solver, problem):
    kw = {
        "jac": problem["jac"],
        "constraints": problem["constraints"],
        "bounds": problem["bounds"],
    }
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if solver == "minimize_l1":
            res = minimize_l1(problem["fun"], problem["x0"], tol=1e-8, **kw)
        elif solver == "l1 + hess":
            res = minimize_l1(problem["fun"], problem["x0"], tol=1e-8,
                              hess=problem["hess"], **kw)  # fmt: skip
        elif solver == "SLSQP":
            options = {"ftol": 1e-10, "maxiter": 1000}
            res = minimize(problem["fun"], problem["x0"], method="SLSQP",
                           options=options, **kw)  # fmt: skip
        else:
            options = {"gtol": 1e-10, "xtol": 1e-10, "maxiter": 1000}
            res = minimize(problem["fun"], problem["x0"], method="trust-constr",
                           options=options, **kw)  # fmt: skip
    return res, time.perf_counter() - start


def _zero(x, v):
    return np.zeros((x.size, x.size))


def problems():
    for p in hock_schittkowski():
        bounds = p.bounds or [(None, None)] * len(p.x0)
        bounds = [(np.nan if lo is None else lo, np.nan if hi is None else hi)
                  for lo, hi in bounds]  # fmt: skip
        yield {"name": p.name, "fun": p.fun, "jac": p.jac, "hess": p.hess,
               "x0": np.array(p.x0),
               "constraints": list(p.constraints), "bounds": p.bounds or None,
               "bounds_nan": bounds, "f_star": p.f_star}  # fmt: skip
    yield {"name": "INF1 (x>=1, x<=0)", "fun": lambda x: x[0] ** 2,
           "jac": lambda x: 2 * x, "hess": lambda x: 2 * np.eye(1),
           "x0": np.array([3.0]),
           "constraints": [
               {"type": "ineq", "fun": lambda x: x[0] - 1,
                "jac": lambda x: np.array([[1.0]]), "hess": _zero},
               {"type": "ineq", "fun": lambda x: -x[0],
                "jac": lambda x: np.array([[-1.0]]), "hess": _zero}],
           "bounds": None, "bounds_nan": [(np.nan, np.nan)],
           "f_star": np.nan}  # fmt: skip
    yield {"name": "INF2 (|x|<=1, x0>=2)", "fun": lambda x: x @ x,
           "jac": lambda x: 2 * x, "hess": lambda x: 2 * np.eye(2),
           "x0": np.array([0.0, 0.5]),
           "constraints": [
               {"type": "ineq", "fun": lambda x: 1 - x @ x,
                "jac": lambda x: -2 * x[None, :],
                "hess": lambda x, v: -2 * v[0] * np.eye(2)},
               {"type": "ineq", "fun": lambda x: x[0] - 2,
                "jac": lambda x: np.array([[1.0, 0.0]]), "hess": _zero}],
           "bounds": None, "bounds_nan": [(np.nan, np.nan)] * 2,
           "f_star": np.nan}  # fmt: skip


def scipy_issue_problems():
    """Infeasible problems from scipy's tracker (gh-5743, gh-10081)."""
    yield {"name": "INF3 (scipy gh-5743)", "fun": lambda x: x @ x,
           "jac": lambda x: 2 * x, "hess": lambda x: 2 * np.eye(2),
           "x0": np.array([1.0, 2.0]),
           "constraints": [
               {"type": "eq", "fun": lambda x: x[0] + x[1] - 1,
                "jac": lambda x: np.array([[1.0, 1.0]]), "hess": _zero},
               {"type": "ineq", "fun": lambda x: x[0] - 2,
                "jac": lambda x: np.array([[1.0, 0.0]]), "hess": _zero}],
           "bounds": [(0, None), (0, None)],
           "bounds_nan": [(0, np.nan), (0, np.nan)], "f_star": np.nan}  # fmt: skip
    yield {"name": "INF4 (scipy gh-10081)", "fun": rosen, "jac": rosen_der,
           "hess": rosen_hess, "x0": np.array([0.1, 0.1]),
           "constraints": [
               {"type": "ineq", "fun": lambda x: -1 - x[0] - x[1],
                "jac": lambda x: np.array([[-1.0, -1.0]]), "hess": _zero}],
           "bounds": [(0, 2), (0, 2)], "bounds_nan": [(0, 2), (0, 2)],
           "f_star": np.nan}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    header = (f"{'problem':22s} {'solver':12s} {'nit':>5s} {'nfev':>5s} "
              f"{'success':>7s} {'violation':>9s} {'rel.err f':>9s} {'ok':>3s} "
              f"{'ms':>7s}  status")  # fmt: skip
    lines = [header, "-" * len(header)]
    totals = {}
    for p in (*problems(), *scipy_issue_problems()):
        p_eval = dict(p, bounds=p["bounds_nan"])
        for solver in ("minimize_l1", "l1 + hess", "SLSQP", "trust-constr"):
            res, seconds = run(solver, p)
            viol = violation(p_eval, res.x)
            err = abs(res.fun - p["f_star"]) / max(1.0, abs(p["f_star"]))
            ok = bool(viol <= 1e-8 and err <= 1e-6)
            t = totals.setdefault(solver, [0, 0, 0, 0])
            t[0] += bool(res.success)
            t[1] += ok
            t[2] += bool(res.success) and not ok
            t[3] += res.nfev
            lines.append(
                f"{p['name']:22s} {solver:12s} {res.nit:5d} {res.nfev:5d} "
                f"{str(bool(res.success)):>7s} {viol:9.1e} {err:9.1e} "
                f"{'yes' if ok else 'no':>3s} {1e3 * seconds:7.1f}  {res.status}"
            )
        lines.append("")
    lines.append("solver        reported success  true solution  false success  nfev")
    for solver, (succ, ok, false, nfev) in totals.items():
        lines.append(f"{solver:12s}  {succ:16d}  {ok:13d}  {false:13d}  {nfev:4d}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
