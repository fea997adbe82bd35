"""Command groups of the ``maritime`` CLI, one module per area; each has ``register(app)``.

maritime/cli.py holds the shared parts (global options, error handling, the store);
a module here adds its commands with ``register(app)`` and lists itself in MODULES.
"""

MODULES = (
    "maritime.commands.dashboard",
    "maritime.commands.detection",
    "maritime.commands.pipeline",
    "maritime.commands.events",
    "maritime.commands.models",
    "maritime.commands.zones",
)


def register_all(app) -> None:
    from importlib import import_module

    for name in MODULES:
        import_module(name).register(app)
