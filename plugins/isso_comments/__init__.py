from .isso_comments import CONTRACT, register

__all__ = ["CONTRACT", "register"]
