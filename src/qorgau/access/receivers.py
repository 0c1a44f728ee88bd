"""Access's hand-over to the trail (loaded at start-up by ``CoreConfig.ready``): the trail files
a person's entries about no single record under their region, and which region that is the
policy decides (``audit.log.file_people_under``)."""

from qorgau.audit import log

from . import policy

log.file_people_under(policy.region_of)
