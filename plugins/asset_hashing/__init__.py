from .asset_hashing import register

__all__ = ["register"]
