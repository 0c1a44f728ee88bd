"""The letters' reactions to changes made on a lower floor: every save and delete of a campaign
plan, an activity or a training session leaves a version of the row (``letters.history``), so
that a reply's paragraphs on measures can be recomputed as known at an instant. Loaded at
start-up by ``core``'s ready(), with every app's receivers."""

from . import history

history.connect()
