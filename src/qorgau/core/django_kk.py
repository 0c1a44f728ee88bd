"""Django's own messages that Qorgau shows, marked so that ``makemessages`` puts them into
our catalogue, where their Kazakh is written (LOCALE_PATHS comes before Django's catalogues).

Django's Kazakh catalogue lacks most of the admin ("AUTHENTICATION AND AUTHORIZATION",
"Recent actions", the filters), several form messages ("Ensure this value has at most …") and
has some garbled ones ("Дұрыс тандау жасаңыз", "жолақпен бұрыннан бар"). Nothing imports
this module's names at run time: the marks are its purpose. docs/i18n.md lists the reviewed
texts. Each msgid here must be Django's exactly (core/tests/test_formats.py checks them).
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

# The admin's headings and navigation (missing from Django's kk catalogue)
gettext_noop("Authentication and Authorization")
gettext_noop("Administration")
gettext_noop("Recent actions")
gettext_noop("My actions")
gettext_noop("View site")
gettext_noop("View")
gettext_noop("View %s")
gettext_noop("Select %s to view")
gettext_noop("Summary")
gettext_noop("Objects")
gettext_noop("Models in the %(name)s application")
gettext_noop("%(app)s administration")
gettext_noop("You don’t have permission to view or edit anything.")
gettext_noop("Breadcrumbs")
gettext_noop("Model name")
gettext_noop("Add link")
gettext_noop("Change or view list link")
gettext_noop("Toggle navigation")
gettext_noop("Sidebar")
gettext_noop("Start typing to filter…")
gettext_noop("Filter navigation items")
gettext_noop("Toggle theme (current theme: auto)")
gettext_noop("Toggle theme (current theme: light)")
gettext_noop("Toggle theme (current theme: dark)")
gettext_noop("Logout")
gettext_noop("Thanks for spending some quality time with the web site today.")
gettext_noop("Error:")
gettext_noop("Close")

# The admin's lists, filters and forms
gettext_noop("Hide counts")
gettext_noop("Show counts")
gettext_noop("Clear all filters")
gettext_noop("Filter by %(field_name)s")
gettext_noop("Empty")
gettext_noop("Not empty")
gettext_noop("Search %(name)s")
gettext_noop("Pagination %(name)s")
gettext_noop("Run")
gettext_noop("Select all objects on this page for an action")
gettext_noop("Select this object for an action - {}")
gettext_noop("Save and view")
gettext_noop("Change selected %(model)s")
gettext_noop("Add another %(model)s")
gettext_noop("Delete selected %(model)s")
gettext_noop("View selected %(model)s")
ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1)
gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one.")
gettext_noop("Yes, I’m sure")
gettext_noop("No, take me back")
gettext_noop(
    "Are you sure you want to delete the %(object_name)s “%(escaped_object)s”? All of the following related items will be deleted:"
)
gettext_noop("Added:")
gettext_noop("Changed:")
gettext_noop("Deleted:")
gettext_noop("Addition")
gettext_noop("Deletion")
gettext_noop(
    "This object doesn’t have a change history. It probably wasn’t added via this admin site."
)
ngettext_lazy("entry", "entries", 1)
ngettext_lazy("…and %(count)d more object.", "…and %(count)d more objects.", 1)

# The admin's messages after a save
gettext_noop("The {name} “{obj}” was added successfully.")
gettext_noop("The {name} “{obj}” was changed successfully.")
gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below.")
gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below.")
gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below.")
gettext_noop("The %(name)s “%(obj)s” was deleted successfully.")
gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
gettext_noop("Added.")
gettext_noop("Changed {fields}.")

# Users, passwords and the login (django.contrib.auth)
gettext_noop("Password-based authentication")
gettext_noop("Enabled")
gettext_noop("Disabled")
gettext_noop("Set password")
gettext_noop("Reset password")
gettext_noop("No password set.")
gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password.")
gettext_noop("The two password fields didn’t match.")
gettext_noop("Enter the same password as before, for verification.")
gettext_noop(
    "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
)
gettext_noop(
    "Please enter the correct %(username)s and password for a staff account. Note that both fields may be case-sensitive."
)
gettext_noop("email address")
gettext_noop("Specific permissions for this user.")
gettext_noop(
    "The groups this user belongs to. A user will get all permissions granted to each of their groups."
)
gettext_noop("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.")
ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    1,
)
gettext_noop("This password is too common.")
gettext_noop("This password is entirely numeric.")
gettext_noop("The password is too similar to the %(verbose_name)s.")
gettext_noop("content type")

# Model names of the admin's other apps (users, login attempts)
gettext_noop("user")
gettext_noop("users")
gettext_noop("access attempts")
gettext_noop("access logs")
gettext_noop("access failures")

# Form messages: missing, or garbled in Django's kk catalogue (docs/i18n.md)
gettext_noop("Enter a valid value.")
gettext_noop("Select a valid choice. %(value)s is not one of the available choices.")
gettext_noop("%(model_name)s with this %(field_label)s already exists.")
gettext_noop("Ensure this value is less than or equal to %(limit_value)s.")
gettext_noop("Ensure this value is greater than or equal to %(limit_value)s.")
gettext_noop("Please either submit a file or check the clear checkbox, not both.")
ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    1,
)
ngettext_lazy(
    "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    1,
)

# Month names inside a date ("2025 жылғы 16 қыркүйек"): lower case
pgettext_lazy("alt. month", "January")
pgettext_lazy("alt. month", "February")
pgettext_lazy("alt. month", "March")
pgettext_lazy("alt. month", "April")
pgettext_lazy("alt. month", "May")
pgettext_lazy("alt. month", "June")
pgettext_lazy("alt. month", "July")
pgettext_lazy("alt. month", "August")
pgettext_lazy("alt. month", "September")
pgettext_lazy("alt. month", "October")
pgettext_lazy("alt. month", "November")
pgettext_lazy("alt. month", "December")
