from .privacy_statement import CONTRACT, register

__all__ = ["CONTRACT", "register"]
