"""``python -m sparsefit.cli``: the same as the ``sparsefit`` command."""

import sys

from . import main

sys.exit(main())
