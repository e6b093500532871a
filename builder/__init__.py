"""checkworthy.builder: articles -> sentences -> labeling tasks -> annotations -> dataset versions -> card."""

__version__ = "0.1.0"
