"""``python -m geo`` runs the ``tongliao-maps`` command."""

import sys

from .cli import entry

sys.exit(entry())
