"""artread: read and search an archive of Chinese Markdown articles from the terminal."""

__version__ = "0.1.0"
