"""BLAS threads inside the solvers.

The solvers' BLAS calls are matrix-vector products and small Gram matrices:
memory-bound work that two threads barely speed up on an idle machine and
slow down several times when another process holds a core (measured on a
57 x 22,283 path: 11.1 s with the default threads against 2.8 s with one,
beside one busy process on two cores).  Cross-validation folds, not BLAS
threads, are where the cores go (``n_jobs``).  The compiled kernels are
single-threaded already.
"""

import threading
from contextlib import contextmanager

__all__ = ["single_blas"]

_controller = None
# The limit is process-wide: only the outermost block (of any thread) sets
# and restores it, so a path's hundred solves, or a CV's folds in threads,
# pay for it once.
_lock = threading.Lock()
_depth = 0
_limit = None


def _get_controller():
    # Built once: enumerating the loaded BLAS libraries costs about 0.6 ms,
    # a limit on a cached controller about 7 us.
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


@contextmanager
def single_blas():
    """Run the block with one BLAS thread (restored when the outermost such
    block ends)."""
    global _depth, _limit
    with _lock:
        if _depth == 0:
            _limit = _get_controller().limit(limits=1, user_api="blas")
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _limit.restore_original_limits()
                _limit = None
