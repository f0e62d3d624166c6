"""Progress on stderr for long work (paths, cross-validation), only on a terminal."""

import sys
import time

__all__ = ["Progress"]


class Progress:
    """A one-line counter: ``label  k/total  elapsed``.

    Parameters
    ----------
    total : int
    label : str
    enabled : bool or None
        None shows progress only when stderr is a terminal.
    """

    def __init__(self, total, label, enabled=None):
        if enabled is None:
            enabled = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self.total, self.label, self.enabled = total, label, bool(enabled)
        self.count = 0
        self.start = time.perf_counter()

    def update(self, step=1):
        self.count += step
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            sys.stderr.write(
                f"\r{self.label} {self.count}/{self.total} ({elapsed:.1f} s)"
            )
            sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
