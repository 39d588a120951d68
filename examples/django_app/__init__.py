"""Django example: middleware + backend (users and groups from claims), views, DRF."""
