"""Kazakh: official style, "16.09.2025" short and "2025 жылғы 16 қыркүйек" long (``E`` is the
month in its lower-case form, from the catalogue's "alt. month" context: docs/i18n.md)."""

from qorgau.core.formats.common import *  # noqa: F403 (Django reads the module's names)

DATE_FORMAT = "Y жылғы j E"
DATETIME_FORMAT = "Y жылғы j E, H:i"
YEAR_MONTH_FORMAT = "Y жылғы E"
MONTH_DAY_FORMAT = "j E"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
