# ruff: noqa: E501
"""The numpydoc checks each public object did not pass yet (see
tests/test_docstrings.py): a ratchet, to be emptied, never extended."""

# fmt: off
DOCSTRING_GAPS = {
}
# fmt: on
