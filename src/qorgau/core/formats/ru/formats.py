"""Russian: "16.09.2025" short and "16 сентября 2025 г." long, 24-hour time."""

from qorgau.core.formats.common import *  # noqa: F403 (Django reads the module's names)

DATE_FORMAT = "j E Y г."
DATETIME_FORMAT = "j E Y г. H:i"
YEAR_MONTH_FORMAT = "F Y г."
MONTH_DAY_FORMAT = "j E"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
