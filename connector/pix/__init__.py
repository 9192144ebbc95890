"""Pix: where assessment results come from (the partner API, or Pix Orga CSV exports)."""
