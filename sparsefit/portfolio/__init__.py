"""Sparse, stable portfolios: L1-penalised Markowitz paths and index tracking.

``portfolio_path`` follows the problem of Brodie, Daubechies, De Mol, Giannone
and Loris (PNAS 2009) through every breakpoint in one run;
``tracking_path`` does the same for sparse index tracking.
"""

from ._path import PortfolioPath, portfolio_path, tracking_path

__all__ = ["PortfolioPath", "portfolio_path", "tracking_path"]
