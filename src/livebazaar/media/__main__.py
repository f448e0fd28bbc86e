"""`python -m livebazaar.media CONFIG_JSON`: one media worker (see media/worker.py)."""

import sys

from livebazaar.media.worker import main

sys.exit(main())
