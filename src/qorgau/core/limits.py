"""Bounds that every database the project runs on can store.

A count (participants, reach, a headcount) is a ``PositiveIntegerField``: on PostgreSQL an
``integer``, at most 2 147 483 647. A larger number typed into a form or a workbook is refused
with a message at the field, never passed to the database (which would answer with an error
page).
"""

COUNT_MAX = 2**31 - 1
