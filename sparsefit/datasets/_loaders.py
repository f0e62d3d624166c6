"""Loaders for the bundled data sets (sources and licences in data/SOURCES.md)."""

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["Dataset", "load_prostate", "load_golub", "load_veteran"]


@dataclass(frozen=True)
class Dataset:
    """A bundled data set.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        A structured survival target (``start, stop, event, strata``) for
        survival data.
    feature_names : list of str
    target_name : str
    train : ndarray of bool or None
        The published train/test split, when there is one.
    description : str
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: list
    target_name: str
    train: np.ndarray
    description: str


def _read_csv(name):
    with resources.files(__package__).joinpath("data", name).open() as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def load_prostate():
    """The prostate cancer data of Stamey et al. (1989), as in ESL section 3.4.

    97 men about to undergo radical prostatectomy: eight clinical measures
    (``lcavol, lweight, age, lbph, svi, lcp, gleason, pgg45``) and the log
    prostate-specific antigen ``lpsa``; ``train`` marks the book's 67 training
    rows.

    Returns
    -------
    Dataset
        ``X``, ``y`` (lpsa), the feature names and the ``train`` flags.

    See Also
    --------
    load_golub : The p >> n classification data set.

    Examples
    --------
    >>> from sparsefit.datasets import load_prostate
    >>> data = load_prostate()
    >>> data.X.shape, int(data.train.sum())
    ((97, 8), 67)
    """
    header, rows = _read_csv("prostate.csv")
    values = np.array([[float(v) for v in row[:-1]] for row in rows])
    train = np.array([row[-1] == "True" for row in rows])
    target = header.index("lpsa")
    features = [j for j in range(values.shape[1]) if j != target]
    return Dataset(
        X=values[:, features],
        y=values[:, target],
        feature_names=[header[j] for j in features],
        target_name="lpsa",
        train=train,
        description="Prostate cancer (Stamey et al. 1989); ESL Table 3.3 split.",
    )


def load_golub():
    """The Golub et al. (1999) leukemia training set: 38 patients, 3051 genes.

    As preprocessed by Dudoit, Fridlyand and Speed (2002) in Bioconductor's
    multtest. 38 patients, 3051 gene-expression columns ``g1 ... g3051``; the target
    ``cl`` is 0 for acute lymphoblastic leukemia (27 patients) and 1 for
    acute myeloid leukemia (11): a p >> n classification problem.

    Returns
    -------
    Dataset
        ``train`` is None: the file is the published training set.

    See Also
    --------
    load_prostate : The regression data set of ESL section 3.4.

    Examples
    --------
    >>> from sparsefit.datasets import load_golub
    >>> data = load_golub()
    >>> data.X.shape, int(data.y.sum())
    ((38, 3051), 11)
    """
    header, rows = _read_csv("golub_multtest.csv")
    values = np.array([[float(v) for v in row] for row in rows])
    target = header.index("cl")
    features = [j for j in range(values.shape[1]) if j != target]
    return Dataset(
        X=values[:, features],
        y=values[:, target],
        feature_names=[header[j] for j in features],
        target_name="cl",
        train=None,
        description="Golub et al. (1999) leukemia data (ALL 0 / AML 1), via multtest.",
    )


def load_veteran():
    """The Veterans' Administration lung cancer trial (Kalbfleisch and Prentice 1980).

    137 men with advanced inoperable lung cancer, randomised to a standard
    or a test chemotherapy; 128 died during the study.  The eight features
    are ``trt`` (1 standard, 2 test), the cell type as three indicators
    against squamous (``smallcell``, ``adeno``, ``large``), ``karno`` (the
    Karnofsky performance score), ``diagtime`` (months from diagnosis to
    randomisation), ``age`` (years) and ``prior`` (10 after a prior
    therapy, else 0), as R's ``survival::veteran`` codes them.  The target
    is the survival time in days and the death indicator.

    Returns
    -------
    Dataset
        ``y`` is a survival target (see
        :func:`sparsefit.datafits.survival_target`); ``train`` is None.

    See Also
    --------
    load_prostate : The regression data set of ESL section 3.4.
    sparsefit.CoxLasso : The Cox lasso that fits it.

    Examples
    --------
    >>> from sparsefit.datasets import load_veteran
    >>> data = load_veteran()
    >>> data.X.shape, int(data.y["event"].sum())
    ((137, 8), 128)
    """
    from ..datafits import survival_target

    header, rows = _read_csv("veteran.csv")
    cell = [row[header.index("celltype")] for row in rows]

    def column(name):
        return np.array([float(row[header.index(name)]) for row in rows])

    columns = {"trt": column("trt")}
    for level in ("smallcell", "adeno", "large"):
        columns[level] = np.array([c == level for c in cell], dtype=float)
    for name in ("karno", "diagtime", "age", "prior"):
        columns[name] = column(name)
    return Dataset(
        X=np.column_stack(list(columns.values())),
        y=survival_target(column("time"), column("status").astype(int)),
        feature_names=list(columns),
        target_name="time, status",
        train=None,
        description="Veterans' Administration lung cancer trial, via R survival.",
    )
