"""``python -m geo`` runs the ``tongliao-maps`` command."""

import sys

from .cli import main

sys.exit(main())
