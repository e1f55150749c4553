"""``python -m coordtui``: the same as the ``coordtui`` command (``serve`` starts the app this way)."""

import sys

from coordtui.cli import main

sys.exit(main())
