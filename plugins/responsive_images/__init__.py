from .responsive_images import CONTRACT, register

__all__ = ["CONTRACT", "register"]
