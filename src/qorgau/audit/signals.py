"""Log every create, update and delete of the registry's models, whoever makes it (services,
admin, shell): the fields before and after, by the current actor. Sensitive free text
(``qorgau.core.privacy``) is named when it changes, never copied."""

from django.db.models.signals import post_delete, post_save, pre_save

from qorgau.core import privacy
from qorgau.oversight.models import ControlRecord
from qorgau.registry import models as registry

from .log import record, snapshot

WATCHED = (
    registry.Report,
    registry.Case,
    registry.Party,
    registry.Qualification,
    registry.StatusChange,
    registry.TermExtension,
    ControlRecord,
)


def _before(sender, instance, **kwargs):
    if instance.pk is None:
        instance._audit_before = None
        return
    old = sender.objects.filter(pk=instance.pk).first()
    # The values themselves, to tell which fields changed; redacted before they are written.
    instance._audit_before = snapshot(old, redact=False) if old is not None else None


def _after(sender, instance, created, **kwargs):
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance, redact=False)
    if not created and before == after:
        return
    if before and not created:
        changed = {k for k in after if before.get(k) != after[k]}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    record(
        f"{sender._meta.label_lower}.{'create' if created else 'update'}",
        instance,
        before=privacy.redact(sender, before) if before else before,
        after=privacy.redact(sender, after),
    )


def _deleted(sender, instance, **kwargs):
    record(f"{sender._meta.label_lower}.delete", instance, before=snapshot(instance))


for model in WATCHED:
    pre_save.connect(_before, sender=model, dispatch_uid=f"audit-pre-{model.__name__}")
    post_save.connect(_after, sender=model, dispatch_uid=f"audit-post-{model.__name__}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"audit-del-{model.__name__}")
