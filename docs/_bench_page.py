"""Build the benchmarks page from the files in ``bench/results/``.

Run by ``docs/conf.py`` at the start of every build: each listed result file
gives its machine and library versions (the lines before its first blank
line) and its summary tables (the Markdown tables it ends with), turned into
reST; the single-alpha least-squares table also becomes a figure of the
speed ratios. Nothing here is typed in by hand: a rerun of a benchmark that
rewrites its file changes the page.
"""

import re
from pathlib import Path

# (file, title, what it measures); the files the README quotes.
RESULTS = [
    (
        "single_alpha_2026-11-27.txt",
        "Lasso at one alpha",
        "``make bench`` (``bench/single_alpha.py``): time to a relative "
        "suboptimality of 1e-6 at alpha_max/10 and alpha_max/100, median of 3; "
        "passes = time / one X'v.",
    ),
    (
        "glm_2026-11-27_s3_ab_single.txt",
        "L1 logistic regression at one alpha",
        "``bench/glm.py``: binary logistic, dense 500 x 5000 (a) and CSC "
        "20000 x 100000 (b), no intercept, time to relative suboptimality 1e-6.",
    ),
    (
        "glm_2026-12-02_a_8eb4b6f.txt",
        "L1 logistic regression: path and 10-fold CV (dense)",
        "``bench/glm.py --cases a --skip-single --n-alphas 100``: 100 alphas "
        "down to alpha_max/100, every alpha to relative suboptimality 1e-6.",
    ),
    (
        "glm_2026-11-27_s3_b_path.txt",
        "L1 logistic regression: path and 10-fold CV (sparse)",
        "``bench/glm.py``: case b, CSC 20000 x 100000.",
    ),
    (
        "glm_2026-11-27_s3_c.txt",
        "Multinomial regression (10 classes)",
        "``bench/glm.py``: dense 1000 x 2000, one alpha and a path of 20 alphas.",
    ),
    (
        "path_cv_2026-12-01_D1_quiet.txt",
        "Least-squares path, dense (quiet machine)",
        "``bench/path_cv.py --criterion subopt``: 100 alphas to alpha_max/100, "
        "each library at the loosest setting whose worst relative "
        "suboptimality over the path is at most 1e-6.",
    ),
    (
        "path_cv_2026-12-02_G1_D1_5e68efd.txt",
        "Least-squares paths and 10-fold CV: gene-expression-like and dense",
        "``bench/path_cv.py --criterion subopt --cases G1,D1``: G1 is 60 x "
        "20000 with blocks of 50 co-expressed genes; D1 200 x 5000.",
    ),
    (
        "path_cv_2026-12-02_S1_063329d.txt",
        "Least-squares path and 10-fold CV: sparse",
        "``bench/path_cv.py --criterion subopt --cases S1``: CSC 20000 x "
        "100000, density 1e-3.",
    ),
    (
        "path_cv_2026-12-02_D3_063329d.txt",
        "Least-squares path: dense 1000 x 20000",
        "``bench/path_cv.py --criterion subopt --cases D3 --skip-cv``: the "
        "case where adelie is faster.",
    ),
    (
        "glm_2026-12-02_golub_genes_5e68efd.txt",
        "L1 logistic paths and 10-fold CV: Golub and gene-expression-like",
        "``bench/glm.py --cases golub,g --skip-single --n-alphas 100``: the "
        "shipped Golub data (38 x 3051) and a binomial 60 x 20000 problem.",
    ),
    (
        "path_cv_2026-12-01_subopt.txt",
        "Least-squares paths and 10-fold CV",
        "``bench/path_cv.py --criterion subopt`` on the dense and the CSC "
        "problem, with 10-fold cross-validation.",
    ),
    (
        "defaults_2026-12-01.txt",
        "Paths at the default tolerance",
        "``bench/defaults.py``: our path at ``tol=1e-4`` (the default), its "
        "time and its worst relative suboptimality over the path.",
    ),
    (
        "portfolio_2026-12-01_rerun.txt",
        "Portfolio path against skfolio",
        "``bench/portfolio.py``: the whole L1 Markowitz path against skfolio's solves.",
    ),
    (
        "constrained_hs.txt",
        "Hock-Schittkowski problems",
        "``bench/constrained_hs.py``: ``minimize_l1`` against scipy's SLSQP and "
        "trust-constr.",
    ),
]


def _header(lines):
    """The machine and versions: the lines before the first blank one."""
    head = []
    for line in lines:
        if not line.strip():
            break
        head.append(line.rstrip())
    return head


def _markdown_tables(lines):
    """Each run of lines starting with ``|``, with the caption line above it."""
    tables, current, caption = [], [], ""
    for i, line in enumerate(lines):
        if line.startswith("|"):
            if not current:
                above = lines[i - 1].strip() if i else ""
                caption = "" if above.startswith("|") else above
            current.append(line.strip())
        elif current:
            tables.append((caption, current))
            current = []
    if current:
        tables.append((caption, current))
    return tables


def _cells(row):
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _list_table(rows):
    """A Markdown table as a reST list-table (the separator row dropped)."""
    rows = [r for r in rows if not re.fullmatch(r"\|[-|: ]+\|", r)]
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        cells = _cells(row)
        out.append(f"   * - {_escape(cells[0])}")
        out.extend(f"     - {_escape(c)}" for c in cells[1:])
    return out + [""]


def _escape(text):
    text = text or "\\-"
    return text.replace("*", "\\*").replace("`", "\\`").replace("|", "\\|")


def _ratio_figure(rows, path):
    """Bars of best anchor / ours for each case of the single-alpha table."""
    import matplotlib.pyplot as plt

    rows = [r for r in rows if not re.fullmatch(r"\|[-|: ]+\|", r)][1:]
    cases = [_cells(r)[0] for r in rows]
    ratios = [float(_cells(r)[-1]) for r in rows]
    anchors = [_cells(r)[-2] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
    ax.barh(range(len(cases)), ratios, color="tab:blue")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(cases)), cases)
    ax.invert_yaxis()
    for i, (r, a) in enumerate(zip(ratios, anchors, strict=True)):
        ax.text(r + 0.03, i, f"{r:.2f} ({a})", va="center", fontsize=8)
    ax.set_xlim(0, max(ratios) * 1.35)
    ax.set_xlabel("fastest anchor's time / sparsefit's time (> 1: sparsefit faster)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_benchmarks_page(root, docs):
    """Write ``docs/_generated/benchmarks.rst`` (and its figure)."""
    results = Path(root, "bench", "results")
    out = Path(docs, "_generated")
    out.mkdir(exist_ok=True)
    text = []
    listed = set()
    for name, title, what in RESULTS:
        lines = Path(results, name).read_text().splitlines()
        listed.add(name)
        text += [title, "-" * len(title), "", what, ""]
        text += [f"From ``bench/results/{name}``."]
        text += ["", "Machine and versions:", "", ".. code-block:: text", ""]
        text += ["   " + line for line in _header(lines)] + [""]
        tables = _markdown_tables(lines)
        if name.startswith("single_alpha") and tables:
            _ratio_figure(tables[-1][1], out / "single_alpha_ratios.png")
            text += [
                ".. image:: /_generated/single_alpha_ratios.png",
                "   :alt: speed ratio of the fastest anchor to sparsefit, per case",
                "",
            ]
        for caption, rows in tables:
            if caption:
                text += [_escape(caption), ""]
            text += _list_table(rows)
        if not tables:
            body = lines[len(_header(lines)) :]
            text += ["Results:", "", ".. code-block:: text", ""]
            text += ["   " + line.rstrip() for line in body if line.strip()] + [""]
    others = sorted(p.name for p in results.iterdir() if p.name not in listed)
    text += ["Other runs", "----------", ""]
    text += [
        "Earlier runs and intermediate measurements kept in ``bench/results/`` "
        "for the record (not summarised here):",
        "",
    ]
    text += [f"- ``{name}``" for name in others] + [""]
    (out / "benchmarks.rst").write_text("\n".join(text))
