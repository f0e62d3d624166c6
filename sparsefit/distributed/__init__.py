"""Certified paths and cross-validation of data left on a Dask cluster.

Dask arrays (chunked along rows), Dask data frames and Parquet directories
are read where they lie; the workers return only small summaries (the
moments of ``[X, y]``), and the problem is solved locally by the in-memory
engine, with the same certificates.  A call runs on the given client, the
running one, or a local cluster started for it.
"""

from ._least_squares import compute_path, cross_validate_path

__all__ = ["compute_path", "cross_validate_path"]
