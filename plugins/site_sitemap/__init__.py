from .site_sitemap import CONTRACT, register

__all__ = ["CONTRACT", "register"]
