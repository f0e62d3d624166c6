"""Sphinx configuration of the sparsefit documentation (``make docs``)."""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # _bench_page, the benchmarks page generator

# The compiled kernels and the examples fit on the two cores of a small
# machine: one BLAS thread each keeps the build from oversubscribing them.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from _bench_page import write_benchmarks_page  # noqa: E402

import sparsefit  # noqa: E402

project = "sparsefit"
author = "the sparsefit developers"
copyright = "2026, the sparsefit developers"
release = version = sparsefit.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax served from the site itself: the pages render formulas offline
    # and load nothing from a CDN.
    "sphinx-mathjax-offline",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "_generated/*.rst"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["sparsefit.css"]
html_theme = "pydata_sphinx_theme"
html_title = f"sparsefit {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
# The benchmark tables are wide: that page gets the whole width.
html_sidebars = {"**": ["sidebar-nav-bs"], "benchmarks": [], "index": []}
html_show_sourcelink = False
html_favicon = "_static/favicon.svg"
# Without it the theme starts from an empty mode and logs a console error on
# a first visit.
html_context = {"default_mode": "auto"}

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# The docstrings follow the sections scikit-learn requires; the validation
# itself runs in tests/test_docstrings.py (a failing docstring fails the suite,
# not the site build, so that the site still builds while one is being fixed).
numpydoc_validation_checks = set()

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.figsize": (6.4, 3.6), "figure.dpi": 110}
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\n"


def _example_out(gallery_conf, script_vars):
    """``--out`` for each example: a folder inside the build tree."""
    name = Path(script_vars["src_file"]).stem
    return ["--out", str(HERE / "_build" / "examples-output" / name)]


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # execute every example
    "reset_argv": _example_out,
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "capture_repr": (),
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "show_signature": False,
}

pygments_style = "sphinx"
nitpicky = False
# sphinx_gallery_conf holds a function (reset_argv): Sphinx cannot pickle it
# into its environment cache, which only costs a full re-read on a rebuild.
suppress_warnings = ["config.cache"]


def setup(app):
    app.connect("builder-inited", lambda app: write_benchmarks_page(ROOT, HERE))
