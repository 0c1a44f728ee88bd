"""When an administrator changes or removes an investigation-term rule, the open cases' term
ends are recomputed at once, so the control list never shows an end the rules no longer give."""

from django.db.models.signals import post_delete, post_save

from .models import DeadlineRule, RuleKind


def _recompute_open_cases(sender, instance, raw=False, **kwargs):
    if raw or instance.kind != RuleKind.INVESTIGATION_TERM:
        return  # fixtures load as they are; a report-decision rule is read live
    from qorgau.registry import services

    services.recompute_terms()


post_save.connect(_recompute_open_cases, sender=DeadlineRule, dispatch_uid="oversight-rule-saved")
post_delete.connect(
    _recompute_open_cases, sender=DeadlineRule, dispatch_uid="oversight-rule-deleted"
)
