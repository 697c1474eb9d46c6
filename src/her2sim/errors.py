"""Errors with one-line messages meant for people.

Every error a user can cause is an ``Her2simError`` subclass whose message says
what was wrong and what is allowed; the CLI prints it as one line and exits 2.
"""


class Her2simError(Exception):
    """Base class of all her2sim errors a user can act on."""


class InputError(Her2simError, ValueError):
    """Bad user input: unknown name, wrong unit, negative dose, malformed time."""


class ModelError(Her2simError):
    """The model files are inconsistent (a developer error in the package data)."""
