"""The history of the campaign and training rows a reply counts (``RowVersion``): every save
and delete of a plan, an activity or a training session, by a service, the admin or a loader,
leaves the row's fields as they then were, with the instant. Their models keep only the
current values (an activity's status and reach are overwritten), so this is what makes the
letter's paragraphs on measures recomputable "as known at instant T" (``letters.asof``).

Receivers of Django's model signals: a ``bulk_create``, a queryset ``update`` or raw SQL
bypass them (no code of the project writes these tables so); a row with no version at all is
read as it is now (``letters.asof``). The regions and co-executors of an activity (many-to-many)
are not versioned: no figure of a reply counts them."""

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from qorgau.campaigns.models import Activity, Plan
from qorgau.training.models import Session

from .models import RowVersion

VERSIONED: tuple[type[models.Model], ...] = (Plan, Activity, Session)


def label(model: type[models.Model]) -> str:
    """The name a model's versions are kept under ("campaigns.activity")."""
    return model._meta.label_lower


def fields(instance: models.Model) -> dict[str, Any]:
    """The row's concrete fields by column attribute (``plan_id``), as stored."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def rebuild(model: type[models.Model], data: dict[str, Any]) -> models.Model:
    """An unsaved instance of ``model`` with the fields of a version (read back from JSON)."""
    values = {}
    for f in model._meta.concrete_fields:
        value = data.get(f.attname)
        values[f.attname] = None if value is None else f.to_python(value)
    return model(**values)


def _saved(sender: type[models.Model], instance: models.Model, raw: bool = False, **_: Any) -> None:
    RowVersion.objects.create(model=label(sender), object_id=instance.pk, data=fields(instance))


def _deleted(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    RowVersion.objects.create(model=label(sender), object_id=instance.pk, data=None)


def connect() -> None:
    """Connect the receivers (``letters.receivers``, loaded at start-up)."""
    for model in VERSIONED:
        post_save.connect(_saved, sender=model, dispatch_uid=f"rowversion-save-{label(model)}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"rowversion-del-{label(model)}")
