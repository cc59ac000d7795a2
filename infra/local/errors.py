"""Typed errors of the local runtime, each with a message that says what to do."""


class LocalRuntimeError(Exception):
    """Base class: the runtime cannot start or go on."""


class TemplateError(LocalRuntimeError):
    """template.yaml uses something the local runtime cannot resolve."""


class UnresolvedReference(TemplateError):
    """A value refers to a resource that has no physical id yet."""

    def __init__(self, logical_id: str) -> None:
        super().__init__(
            f"{logical_id} is referenced before it was created; add it to DependsOn or check "
            "the template for a reference cycle"
        )
        self.logical_id = logical_id


class PortInUse(LocalRuntimeError):
    """A port the runtime needs is taken."""

    def __init__(self, host: str, port: int, env_var: str) -> None:
        super().__init__(
            f"{host}:{port} is already in use (another `make run`?). Stop it, or pick another "
            f"port with {env_var}=<port>"
        )
        self.port = port


class HandlerError(LocalRuntimeError):
    """A handler raised, timed out or its worker died; the invocation failed as in Lambda."""

    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(f"{function} failed: {error_type}: {message}")
        self.function = function
        self.error_type = error_type
