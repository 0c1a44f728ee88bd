"""The actions of the letters app, as the audit trail names them (``audit.log.write``)."""

from django.utils.translation import gettext_lazy as _

from qorgau.audit.actions import action

INQUIRY_REGISTER = action("inquiry.register", _("Inquiry registered"))
INQUIRY_UPDATE = action("inquiry.update", _("Inquiry corrected"))
INQUIRY_STATUS_CHANGE = action("inquiry.status.change", _("Inquiry status changed"))
REPLY_REGENERATE = action("reply.regenerate", _("Reply drafted from the data"))
REPLY_EDIT = action("reply.edit", _("Reply draft edited"))
REPLY_PRODUCE = action("reply.produce", _("Reply document produced"))
REPLY_DOWNLOAD = action("reply.download", _("Reply document downloaded"))
REPLY_REFERENCE = action("reply.reference", _("Reference paragraph drafted"))
REPLY_VERIFY = action("reply.verify", _("Reply figures recomputed as of their instant"))
REPLY_SECTIONS = action("reply.sections", _("Reply sections chosen"))
