"""Start-up checks of the core (found by ``CoreConfig.ready``)."""

from django.core.checks import Error, register

from . import filetypes


@register()
def libmagic_is_installed(app_configs, **kwargs):
    """qorgau.E010: without libmagic every evidence upload would be refused."""
    if filetypes.magic is not None:
        return []
    return [
        Error(
            f"libmagic cannot be loaded ({filetypes.MISSING}): uploaded files cannot be checked.",
            hint="Install the system library (Debian: apt-get install libmagic1).",
            id="qorgau.E010",
        )
    ]
