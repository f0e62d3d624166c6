"""Every public object's docstring, checked by numpydoc's validator.

The check set is scikit-learn's (``sklearn/tests/test_docstrings.py``): every
numpydoc check, on every public class and function and on each public method
a class defines itself, except

- RT02 (the first line of Returns holds only the type): a returned value is
  often named, as scikit-learn names it;
- GL01 and GL02 (where the summary starts; blank lines around it): layout, not
  content;
- ES01, SA01, EX01 (extended summary, See Also, Examples) on methods: those
  three are asked of the class or function itself, as in scikit-learn;
- PR02 and GL08 on properties (a property has no parameters to document).

So each object documents every parameter with a type and a description
(PR01, PR04, PR07...), what it returns (RT01, RT03), an extended summary (for
classes, where the objective is written out), See Also and an Example.

``DOCSTRING_GAPS`` lists the checks that objects did not yet pass when this
test was written (numpydoc codes per object). It is a ratchet, as scikit-learn
ran its own ``DOCSTRING_IGNORE_LIST`` while bringing its docstrings up: an
error outside the list fails, and so does a listed error that no longer
occurs, so the list can only shrink.
"""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

from .docstring_gaps import DOCSTRING_GAPS  # noqa: E402

PUBLIC_MODULES = [
    "sparsefit",
    "sparsefit.prox",
    "sparsefit.penalties",
    "sparsefit.datafits",
    "sparsefit.solvers",
    "sparsefit.datasets",
    "sparsefit.model_selection",
    "sparsefit.constrained",
    "sparsefit.pruning",
    "sparsefit.portfolio",
    "sparsefit.selection",
    "sparsefit.distributed",
]
IGNORED_EVERYWHERE = {"RT02", "GL01", "GL02"}
OBJECT_LEVEL_ONLY = {"ES01", "SA01", "EX01"}


def _importable(module):
    try:
        return importlib.import_module(module)
    except ImportError:  # an optional extra (torch, skfolio) is missing
        return None


def public_objects():
    """``(qualified name, object)`` of each public class and function, once."""
    seen, out = set(), []
    for module_name in PUBLIC_MODULES:
        module = _importable(module_name)
        if module is None:
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            out.append((f"{module_name}.{name}", obj))
    return out


def public_names():
    """Every object and the public methods its class defines itself."""
    names = []
    for qualname, obj in public_objects():
        names.append((qualname, None))
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if callable(value) or isinstance(
                    value, property | classmethod | staticmethod
                ):
                    names.append((qualname, attr))
    return names


def filter_errors(errors, obj, method):
    """scikit-learn's filter (see the module docstring)."""
    for code, message in errors:
        if code in IGNORED_EVERYWHERE:
            continue
        if method is not None and code in OBJECT_LEVEL_ONLY:
            continue
        if code in ("PR02", "GL08") and isinstance(
            inspect.getattr_static(obj, method, None) if method else None, property
        ):
            continue
        yield code, message


def docstring_errors(qualname, method):
    obj = importlib.import_module(qualname.rsplit(".", 1)[0])
    obj = getattr(obj, qualname.rsplit(".", 1)[1])
    name = qualname if method is None else f"{qualname}.{method}"
    result = numpydoc_validate.validate(name)
    return name, dict(filter_errors(result["errors"], obj, method))


NAMES = public_names()


@pytest.mark.parametrize(
    "qualname, method", NAMES, ids=[q if m is None else f"{q}.{m}" for q, m in NAMES]
)
def test_docstring(qualname, method):
    name, errors = docstring_errors(qualname, method)
    known = set(DOCSTRING_GAPS.get(name, ()))
    new = {code: msg for code, msg in errors.items() if code not in known}
    assert not new, f"{name}: " + "; ".join(f"{c} {m}" for c, m in new.items())
    fixed = known - set(errors)
    assert not fixed, (
        f"{name} now passes {sorted(fixed)}: remove them from DOCSTRING_GAPS"
    )


def test_every_gap_names_a_public_object():
    names = {q if m is None else f"{q}.{m}" for q, m in NAMES}
    assert set(DOCSTRING_GAPS) <= names, set(DOCSTRING_GAPS) - names


def test_every_public_object_is_in_the_api_reference():
    from pathlib import Path

    api = (Path(__file__).resolve().parents[1] / "docs/api/index.rst").read_text()
    listed = set()
    module = None
    for line in api.splitlines():
        if line.startswith(".. currentmodule:: "):
            module = line.split()[-1]
        elif line.startswith("   ") and not line.strip().startswith(":"):
            listed.add(f"{module}.{line.strip()}")
    objects = {id(obj): qualname for qualname, obj in public_objects()}
    missing = [q for q in objects.values() if q not in listed]
    assert not missing, f"not in docs/api/index.rst: {missing}"
