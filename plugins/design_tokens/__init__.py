from .design_tokens import CONTRACT, register

__all__ = ["CONTRACT", "register"]
