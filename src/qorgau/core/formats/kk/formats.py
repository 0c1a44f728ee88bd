"""Kazakh: official style, "16.09.2025" short and "2025 жылғы 16 қыркүйек" long (``E`` is the
month in its lower-case form, from the catalogue's "alt. month" context: docs/i18n.md)."""

DATE_FORMAT = "Y жылғы j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y жылғы j E, H:i"
YEAR_MONTH_FORMAT = "Y жылғы E"
MONTH_DAY_FORMAT = "j E"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2025-09-16': first, what an HTML date input sends and shows
    "%d.%m.%Y",  # '16.09.2025'
    "%d.%m.%y",  # '16.09.25'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2025-09-16 14:30:59'
    "%Y-%m-%d %H:%M",  # '2025-09-16 14:30'
    "%Y-%m-%dT%H:%M",  # '2025-09-16T14:30' (datetime-local input)
    "%d.%m.%Y %H:%M:%S",  # '16.09.2025 14:30:59'
    "%d.%m.%Y %H:%M",  # '16.09.2025 14:30'
    "%d.%m.%y %H:%M",  # '16.09.25 14:30'
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3
