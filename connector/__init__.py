"""pix-imilo: carries Pix assessment results into I-Milo, the Missions Locales' system."""

__version__ = "0.1.0"
