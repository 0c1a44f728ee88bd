"""Domain errors of the registry. Messages are translated into the active language."""


class RegistryError(Exception):
    """An action on the registry was refused; nothing was changed.

    ``field`` names the input the error is about (a form field, a CSV column) when there is one.
    """

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class IllegalTransition(RegistryError):
    """A status change or decision that the lifecycle rules do not allow."""

    def __init__(self, message: str, field: str = "status"):
        super().__init__(message, field)
