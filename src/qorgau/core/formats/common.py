"""What the three languages' formats share: day first as in Kazakhstan ("16.09.2025"),
24-hour time, Monday first, and the same accepted input formats (docs/i18n.md)."""

TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
NUMBER_GROUPING = 3

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
