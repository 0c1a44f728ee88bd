"""Date, time and number formats per language (``FORMAT_MODULE_PATH``), ahead of Django's own.

Django ships no formats for Kazakh (``kk`` fell back to the English 12-hour ``P`` time) and its
English formats are 12-hour too. Here every language shows 24-hour Kazakhstan time and groups
thousands: kk and ru with a no-break space and a decimal comma, en with a comma and a point.
The first date input format stays ISO ``Y-m-d``: HTML date inputs send it and a date widget
renders its value with the first one. docs/i18n.md lists the formats.
"""
