"""`python -m livebazaar.media CONFIG_JSON`: one media worker (see media/worker_process.py)."""

import sys

from livebazaar.media.worker_process import main

sys.exit(main())
