"""Deployment checks of the database role (``qorgau check --deploy``): the application must not
be able to change, delete or empty its own audit trail (docs/security.md); and the trail's
yearly partitions must be ready for next year (docs/scaling.md)."""

from django.core.checks import Error, Info, Tags, Warning, register
from django.db import DatabaseError, connections
from django.utils import timezone

from . import partitions, roles


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


@register(Tags.database, deploy=True)
def trail_partitions_ready(app_configs, **kwargs):
    """W003: the audit trail (partitioned by year on PostgreSQL) has no partition for next year:
    its entries would go to the DEFAULT partition and stay there. W004: some already did."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            if not partitions.is_partitioned(cursor):
                return []
            years = partitions.years(cursor)
            # Only the DEFAULT partition holds years outside the partitions' (pruned to it).
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM audit_auditentry WHERE at_year < %s OR at_year > %s)",
                [min(years, default=0), max(years, default=0)],
            )
            stray = cursor.fetchone()[0]
    except DatabaseError:
        return []  # said by application_role_cannot_rewrite_the_trail (E002)
    warnings = []
    next_year = timezone.localdate().year + 1
    if next_year not in years:
        warnings.append(
            Warning(
                f"The audit trail has no partition for {next_year}.",
                hint="Run `qorgau partitions --ahead 1` (yearly, before 1 January; docs/scaling.md).",
                id="qorgau.W003",
            )
        )
    if stray:
        warnings.append(
            Warning(
                "Audit entries are in the trail's DEFAULT partition: their years had no partition.",
                hint="Their years' partitions can no longer be created; see docs/scaling.md.",
                id="qorgau.W004",
            )
        )
    return warnings
