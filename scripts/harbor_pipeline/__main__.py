"""`python -m harbor_pipeline VERB ...`: the same as the `harbor` command."""

import sys

from .cli import main

sys.exit(main())
