from .related_reading import CONTRACT, register

__all__ = ["CONTRACT", "register"]
