"""Settings for `bench/editor.py --dist`: Pipewright's, serving another build of the front end.

`PIPEWRIGHT_BENCH_FRONTEND_DIST` names a folder made by `vite build --outDir`, so that two
builds (before and after a change) can be measured side by side in one run.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipewright.settings import *  # noqa: F403

FRONTEND_DIST = Path(os.environ["PIPEWRIGHT_BENCH_FRONTEND_DIST"]).resolve()
STATICFILES_DIRS = [FRONTEND_DIST]
