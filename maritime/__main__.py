"""``python -m maritime`` is the ``maritime`` command."""

from maritime.cli import app

app(prog_name="maritime")
