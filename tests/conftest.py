"""The test process compiles its kernels itself: AppTest runs the page in this process, and a
page would otherwise switch the whole suite to the interpreted engine while a background
compile runs (tests/test_warmup.py covers that path; the browser tests' servers use it)."""

import os

from optviz.engine.warmup import SWITCH

os.environ[SWITCH] = "0"
