"""How long the free texts of the registry and the prosecutor's control may be.

The one place for these bounds: the model fields carry them (``max_length``, so the admin and
model forms refuse longer text), the staff forms carry them (the browser stops typing at the
bound, the server says how long the text is), and the services refuse longer text with
:func:`too_long` (SQLite does not enforce a text column's length, and a command or an import
writes without a form). docs/registry.md, "Validation", lists them.
"""

from collections.abc import Iterator

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SUMMARY_MAX = 4000  # a report's summary
NOTE_MAX = 1000  # a report decision's note (where the report was sent)
REASON_MAX = 2000  # the reason of a status change, a requalification or an extension
AUTHORISED_BY_MAX = 200  # the official who authorised an extension (the column's length)
INSTRUCTION_MAX = 4000  # a prosecutor's instruction
RESULT_MAX = 4000  # the result of a control


def too_long(**values: tuple[str | None, int]) -> Iterator[tuple[str, str]]:
    """(field, message) for each of ``values`` (field → (text, its bound)) longer than its
    bound; the message says the bound and how long the text is."""
    for field, (text, limit) in values.items():
        if text is not None and len(text) > limit:
            yield (
                field,
                _("This text may have at most %(limit)s characters; it has %(count)s.")
                % {"limit": number_format(limit), "count": number_format(len(text))},
            )
