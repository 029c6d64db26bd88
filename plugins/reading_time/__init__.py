from .reading_time import CONTRACT, register

__all__ = ["CONTRACT", "register"]
