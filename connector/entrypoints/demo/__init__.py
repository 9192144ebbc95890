"""Bundled demo dataset: Pix and I-Milo simulator fixtures, and the admin mappings for them."""
