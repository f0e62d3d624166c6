"""``report.html``: one self-contained page, readable on a phone.

The figures are embedded as base64 PNG, the style sheet is inline and there
is no script, so the file can be mailed or archived on its own.  A viewport
meta tag and a fluid layout (wide tables scroll inside their own box) keep
the page within a phone's width.
"""

import base64
import datetime
import html

import numpy as np

__all__ = ["render_report", "render_selection_report"]

_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:1rem;font:15px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,sans-serif;color:#1d2430;background:#fff}
main{max-width:62rem;margin:0 auto}
h1{font-size:1.5rem;margin:.2rem 0 .3rem}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:2px solid #e3e7ee;
padding-bottom:.2rem}
h1,h2,p,li,dd{overflow-wrap:anywhere}
.sub{color:#5b6472;margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));
gap:.6rem}
.card{border:1px solid #e3e7ee;border-radius:.5rem;padding:.6rem .8rem}
.card b{display:block;font-size:1.2rem}
.card span{color:#5b6472;font-size:.85rem}
figure{margin:.5rem 0 1rem}
figure img{display:block;width:100%;max-width:50rem;height:auto}
figcaption{color:#5b6472;font-size:.85rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.88rem}
th,td{padding:.25rem .55rem;border-bottom:1px solid #e3e7ee;text-align:right;
white-space:nowrap}
th:first-child,td:first-child{text-align:left}
td.why{text-align:left;white-space:normal;min-width:14rem}
.ok{color:#1a7f37}.warn{color:#b35900}
@media (max-width:40rem){body{padding:.6rem;font-size:14px}h1{font-size:1.25rem}
table{font-size:.8rem}}
"""


def _e(value):
    return html.escape(str(value))


def _num(value, spec=".4g"):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return _e(value)
    return "&ndash;" if not np.isfinite(value) else format(value, spec)


def _card(label, value, note=""):
    return (
        f'<div class="card"><span>{_e(label)}</span><b>{value}</b>'
        f"<span>{_e(note)}</span></div>"
    )


def _table(header, rows):
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{c[1]}>{c[0]}</td>" if isinstance(c, tuple) else f"<td>{c}</td>"
            for c in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _data_section(s):
    rows, feats = s["rows"], s["features"]
    # One count per card, each with its own label: the rows the model was
    # fitted on, then where the others went.
    whereabouts = [f"{rows['read']} read from the file"]
    if rows["dropped"]:
        whereabouts.append(f"{len(rows['dropped'])} dropped (missing values)")
    if rows["test"]:
        whereabouts.append(f"{rows['test']} held out for testing")
    cards = [
        _card("rows fitted", rows["train"], "; ".join(whereabouts)),
        _card("design columns", feats["design"], f"from {feats['columns']} features"),
    ]
    if rows["dropped"]:
        shown = ", ".join(str(r) for r in rows["dropped"][:8])
        cards.append(_card("rows dropped", len(rows["dropped"]), f"rows {shown}"))
    target = s["target_summary"]
    if "classes" in target:
        text = ", ".join(f"{_e(k)}: {v}" for k, v in target["classes"].items())
        cards.append(_card(f"target {s['target']}", text, "rows per class"))
    elif "events" in target:
        strata = f"; {target['strata']} strata" if target["strata"] > 1 else ""
        cards.append(
            _card(
                f"survival time {s['target']}",
                f"{target['events']} events, {target['censored']} censored",
                f"times {_num(target['min'])} to {_num(target['max'])}, median "
                f"{_num(target['median_time'])}{strata}",
            )
        )
    else:
        cards.append(
            _card(
                f"target {s['target']}",
                f"{_num(target['mean'])} &plusmn; {_num(target['sd'])}",
                f"range {_num(target['min'])} to {_num(target['max'])}",
            )
        )
    if feats["one_hot"]:
        enc = ", ".join(f"{c} ({n} levels)" for c, n in feats["one_hot"].items())
        cards.append(_card("one-hot encoded", len(feats["one_hot"]), enc))
    return "<h2>Data</h2>" + f'<div class="cards">{"".join(cards)}</div>'


def _model_section(s):
    cert = s["certificate"]
    rule = {
        "min": "CV minimum",
        "1se": "1-SE rule",
        "fixed": "given",
        "n_nonzero": f"{s.get('n_nonzero_target')} non-zero features asked",
    }[s["selection"]]
    cards = [
        _card("alpha", _num(s["alpha"]), rule),
        _card("alpha_min", _num(s["alpha_min"]), "lowest CV error"),
        _card("alpha_1se", _num(s["alpha_1se"]), "largest within 1 SE"),
        _card("non-zero coefficients", s["n_nonzero"], f"l1_ratio {s['l1_ratio']:g}"),
    ]
    gap, bound = cert["dual_gap"], cert["gap_bound"]
    if gap is None or bound is None:
        status = "the objective is within this of its optimum"
    elif gap <= bound:
        status = (
            '<span class="ok">certified</span>: the objective is within this of '
            f"its optimum, below the solver's bound {_num(bound, '.3e')}"
        )
    else:
        status = (
            f'<span class="warn">above the bound {_num(bound, ".3e")}</span>: '
            "the solver stopped short of its tolerance"
        )
    n_iter = cert["n_iter"]
    if s["selection"] in ("fixed", "n_nonzero"):
        effort = f"the solver took {n_iter} iteration(s)"
    else:
        # The refit starts from the path's solution at the chosen alpha, so
        # one pass often certifies it: a count of 1 is not a fit cut short.
        effort = (
            f"the final fit at the chosen alpha, started from the path's "
            f"solution there, took {n_iter} solver iteration(s)"
        )
    text = (
        f"<p>Duality gap {_num(gap, '.3e')} ({status}), largest KKT violation "
        f"{_num(cert['kkt_violation'], '.3e')}; {effort}. "
        f"Family {_e(s['family'])}, "
        f"{'standardised' if s['standardize'] else 'raw'} columns.</p>"
    )
    return "<h2>Model</h2>" + f'<div class="cards">{"".join(cards)}</div>' + text


def _metrics_section(s):
    rows = []
    cv = s["metrics"].get("cv")
    if cv:
        for key in ("alpha_min", "alpha_1se"):
            m = cv[key]
            rows.append(
                [
                    f"{s['cv_folds']}-fold CV at {key}",
                    f"{_e(cv['scoring'])}",
                    f"{_num(m['mean'])} &plusmn; {_num(m['se'])}",
                ]
            )
    for name, value in (s["metrics"].get("test") or {}).items():
        rows.append([f"test rows ({s['rows']['test']})", _e(name), _num(value)])
    if not rows:
        return (
            "<h2>Held-out metrics</h2><p>None: alpha was given, with no CV and no "
            "test rows (use --cv or --train-column).</p>"
        )
    return "<h2>Held-out metrics</h2>" + _table(["held out", "metric", "value"], rows)


def _why(row, coef):
    if row.get("status") == "unpenalised":
        return "unpenalised (penalty factor 0): always in the model"
    if coef == 0 and row.get("status") == "zero at the boundary":
        return (
            f"zero, at the boundary: pull {_num(row.get('pull'))} is within the "
            f"fit's accuracy of the penalty {_num(row.get('penalty'))}"
        )
    if coef != 0:
        return (
            f"kept: the data's pull {_num(row.get('pull'))} meets the penalty "
            f"{_num(row.get('penalty'))}"
        )
    return (
        f"dropped: pull {_num(row.get('pull'))} &lt; penalty "
        f"{_num(row.get('penalty'))} (margin {_num(row.get('kkt_margin'))})"
    )


def _features_section(coefficients, n_nonzero):
    coef_cols = [
        c for c in coefficients.columns if c == "coef" or c.startswith("coef:")
    ]
    records = coefficients.to_dict(orient="records")
    header = ["feature", *coef_cols, "status", "entry alpha", "KKT margin", "why"]

    def line(r):
        size = max(abs(float(r[c])) for c in coef_cols)
        return (
            [_e(r["feature"])]
            + [_num(r[c]) for c in coef_cols]
            + [
                _e(r.get("status", "")),
                _num(r.get("entry_alpha")),
                _num(r.get("kkt_margin"), ".3g"),
                (_why(r, size), ' class="why"'),
            ]
        )

    selected = [line(r) for r in records[:n_nonzero]]
    nearest = [line(r) for r in records[n_nonzero : n_nonzero + 10]]
    out = f"<h2>Selected features ({n_nonzero})</h2>"
    out += (
        "<p>Non-zero coefficients, largest first. The entry alpha is the largest "
        "alpha on the path at which the feature is non-zero; the KKT margin is "
        "the penalty minus the data's pull (about 0 for a kept feature).</p>"
    )
    out += (
        _table(header, selected) if selected else "<p>None: every coefficient is 0.</p>"
    )
    if nearest:
        out += "<h2>Dropped features nearest to entering</h2>"
        out += (
            "<p>The entry alpha of a dropped feature is where it would become "
            "non-zero with the rest of the fit held.</p>"
        )
        out += _table(header, nearest)
    return out


def _figure(figures, name, caption):
    if name not in figures:
        return ""
    data = base64.b64encode(figures[name]).decode("ascii")
    return (
        f'<figure id="{name}-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def render_report(summary, coefficients, figures, title=None):
    """The page for a fit's summary, coefficient table and PNG figures."""
    title = title or f"{summary['family']} model of {summary['target']}"
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    figs = _figure(
        figures, "path", "Regularisation path: coefficients against log10(alpha)"
    ) + _figure(figures, "cv", "Cross-validated error with one standard error")
    body = "".join(
        [
            f"<h1>sparsefit: {_e(title)}</h1>",
            f'<p class="sub">{_e(summary.get("source", ""))} &middot; {when}</p>',
            _data_section(summary),
            _model_section(summary),
            _metrics_section(summary),
            "<h2>Path and cross-validation</h2>" + figs,
            _features_section(coefficients, summary["n_nonzero"]),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>sparsefit: {_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _selection_section(s):
    d, rec = s["details"], s["record"]
    cards = [
        _card("method", _e(s["method"]), f"family {s['family']}"),
        _card("selected features", s["n_selected"], f"of {s['features']['design']}"),
    ]
    if "error_bound" in d:
        low, high = d["alpha_region"]
        cards += [
            _card("threshold", _num(d["threshold"]), "selection frequency"),
            _card(
                "expected false selections",
                f"&le; {_num(d['error_bound'], '.3g')}",
                f"{d['bound']} bound; wanted {d['pfer']:g}",
            ),
            _card(
                "region of alpha",
                f"{_num(low, '.3g')} to {_num(high, '.3g')}",
                f"q = {d['q']:.3g} features per half",
            ),
        ]
    failed = rec["not_converged"]
    status = (
        '<span class="ok">every fit certified</span>'
        if not failed
        else f'<span class="warn">{len(failed)} fit(s) not converged</span>: '
        + _e("; ".join(failed[:10]))
    )
    text = (
        f"<p>{rec['n_fits']} certified solves (path points) on "
        f"{rec['n_subsamples']} resampled halves "
        f"(seed {_e(rec['random_state'])}); largest relative duality gap "
        f"{_num(rec['max_gap'], '.3e')}; {status}. The rows of every half are "
        "in selection.json.</p>"
    )
    return "<h2>Selection</h2>" + f'<div class="cards">{"".join(cards)}</div>' + text


def _selected_table(table):
    scores = [c for c in table.columns if c not in ("feature", "selected")]
    rows = [
        [_e(r["feature"])]
        + [_num(r[c]) for c in scores]
        + ["yes" if r["selected"] else ""]
        for r in table.head(int(table["selected"].sum()) + 10).to_dict("records")
    ]
    out = "<h2>Features</h2><p>The selected features, then the ten nearest.</p>"
    return out + _table(["feature", *scores, "selected"], rows)


def render_selection_report(summary, table, figures, title=None):
    """The page of a ``select`` run: data, selection, figure and features."""
    title = title or f"{summary['method']} selection for {summary['target']}"
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    figs = "".join(_figure(figures, name, summary["caption"]) for name in figures)
    body = "".join(
        [
            f"<h1>sparsefit: {_e(title)}</h1>",
            f'<p class="sub">{_e(summary.get("source", ""))} &middot; {when}</p>',
            _data_section(summary),
            _selection_section(summary),
            figs,
            _selected_table(table),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>sparsefit: {_e(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )
