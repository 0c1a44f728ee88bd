"""The core's signal receivers (loaded by ``CoreConfig.ready``): every save of a model with a
sensitive free-text field is checked, whatever path it takes (``core.privacy``)."""

from django.db.models.signals import pre_save

from .privacy import refuse_on_save

pre_save.connect(refuse_on_save, dispatch_uid="qorgau-privacy-refuse-on-save")
