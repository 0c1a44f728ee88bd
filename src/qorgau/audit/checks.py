"""Deployment checks of the database role (``qorgau check --deploy``): the application must not
be able to change, delete or empty its own audit trail (docs/security.md)."""

from django.core.checks import Error, Info, Tags, register
from django.db import DatabaseError, connections

from . import roles


@register(Tags.security, deploy=True)
def application_role_cannot_rewrite_the_trail(app_configs, **kwargs):
    """E001: the application's role is a superuser, owns the trail, or may change it.
    I001: SQLite has no roles (the embedded development default, not for production); said as
    information so that a demo's deploy check still passes at the warning level."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return [
            Info(
                "The database is not PostgreSQL: nothing stops the application's own connection "
                "from rewriting the audit trail.",
                hint="Use PostgreSQL with the roles of `qorgau db-roles` in production.",
                id="qorgau.I001",
            )
        ]
    try:
        found = roles.problems()
    except DatabaseError as error:
        return [
            Error(
                f"The database role could not be checked: {error}",
                hint="Run `qorgau migrate` (as the owner) and check DATABASE_URL.",
                id="qorgau.E002",
            )
        ]
    return [
        Error(
            f"DATABASE_URL: {problem}.",
            hint="Connect as the application role made by `qorgau db-roles` (docs/security.md).",
            id="qorgau.E001",
        )
        for problem in found
    ]
