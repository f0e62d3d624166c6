# ruff: noqa: E501
"""The numpydoc checks each public object did not pass yet (see
tests/test_docstrings.py): a ratchet, to be emptied, never extended."""

# fmt: off
DOCSTRING_GAPS = {
    'sparsefit.ElasticNetCV.coef_at': ['PR01', 'RT01', 'SS05', 'SS06'],
    'sparsefit.ElasticNetCV.fit': ['PR07', 'RT03'],
    'sparsefit.ElasticNetCV.intercept_at': ['PR01', 'RT01'],
    'sparsefit.ElasticNetCV.predict': ['RT03', 'SS06'],
    'sparsefit.HuberLasso.fit': ['PR07', 'RT03'],
    'sparsefit.HuberLassoCV.fit': ['PR01', 'RT03'],
    'sparsefit.LassoIC.fit': ['PR01', 'RT01'],
    'sparsefit.PoissonLasso.fit': ['PR07', 'RT03'],
    'sparsefit.PoissonLassoCV.fit': ['PR01', 'RT03'],
    'sparsefit.PoissonLassoCV.predict': ['PR01', 'RT01'],
    'sparsefit.SparseLogisticRegression.fit': ['PR01', 'RT03'],
    'sparsefit.SparseLogisticRegressionCV.decision_function': ['PR01', 'RT01'],
    'sparsefit.SparseLogisticRegressionCV.fit': ['PR01', 'RT03'],
    'sparsefit.SparseLogisticRegressionCV.predict': ['PR01', 'RT01'],
    'sparsefit.SparseLogisticRegressionCV.predict_proba': ['PR01', 'RT01'],
    'sparsefit.portfolio.HoldingsNotOnPathWarning': ['ES01', 'EX01', 'SA01'],
    'sparsefit.portfolio.InertPenaltyWarning': ['ES01', 'EX01', 'SA01'],
    'sparsefit.portfolio.RebalanceResult': ['ES01', 'EX01', 'PR01', 'SA01'],
    'sparsefit.portfolio.SkfolioSparsePortfolio': ['ES01', 'SA01'],
    'sparsefit.portfolio.SkfolioSparsePortfolio.fit': ['PR01', 'RT01'],
    'sparsefit.portfolio.SparseIndexTracker': ['EX01', 'PR01', 'PR04', 'PR08', 'SA01'],
    'sparsefit.portfolio.SparseIndexTracker.fit': ['PR01', 'RT01', 'SS06'],
    'sparsefit.portfolio.SparsePortfolio.fit': ['PR01', 'RT01', 'SS06'],
    'sparsefit.portfolio.SparsePortfolio.score': ['PR01', 'RT01', 'SS06'],
    'sparsefit.portfolio.rebalance': ['EX01', 'PR04', 'SA01'],
}
# fmt: on
