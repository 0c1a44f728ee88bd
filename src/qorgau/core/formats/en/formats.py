"""English: day first as in Kazakhstan ("16.09.2025", "16 September 2025"), 24-hour time."""

from qorgau.core.formats.common import *  # noqa: F403 (Django reads the module's names)

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
