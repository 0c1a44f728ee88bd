"""The registry's reactions to changes made on a lower floor.

When an administrator changes or removes an investigation-term rule
(:class:`~qorgau.reference.models.DeadlineRule`), the open cases' term ends are recomputed at
once, so the control list never shows an end the rules no longer give. The reference app does
not know the registry: the registry listens."""

from typing import Any

from django.db.models.signals import post_delete, post_save

from qorgau.core.actors import Actor, current
from qorgau.reference.models import DeadlineRule, RuleKind

from . import services


def recompute_open_cases(
    sender: type, instance: DeadlineRule, raw: bool = False, **kwargs: Any
) -> None:
    """Recompute the open cases' terms, as the one who changed the rule (the admin's request,
    or the command that ran)."""
    if raw or instance.kind != RuleKind.INVESTIGATION_TERM:
        return  # fixtures load as they are; a report-decision rule is read live
    actor = current()
    if actor.is_system and not actor.name:  # a shell or a script outside any command
        actor = Actor.system("deadline-rule-change", actor.source)
    services.recompute_terms(actor)


post_save.connect(recompute_open_cases, sender=DeadlineRule, dispatch_uid="registry-rule-saved")
post_delete.connect(recompute_open_cases, sender=DeadlineRule, dispatch_uid="registry-rule-deleted")
