"""What the statistics write to the audit trail (codes declared once, with words). Reading
aggregates is recorded too: who looked at which filters is part of the trail."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

VIEW = action("stats.view", _("Statistics viewed"))
EXPORT = action("stats.export", _("Statistics exported"))
QUERY = action("stats.query", _("Statistics queried on the command line"))
RELEASE_PUBLISH = action("stats.release.publish", _("Statistics release published"))
RELEASE_CORRECT = action("stats.release.correct", _("Statistics release corrected"))
RELEASE_AUDIT = action("stats.release.audit", _("Disclosure audit of the statistics releases"))
POPULATION_LOAD = action("population.load", _("Population table loaded"))
