from .site_links import CONTRACT, register

__all__ = ["CONTRACT", "register"]
