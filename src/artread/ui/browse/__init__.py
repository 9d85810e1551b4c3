"""The full-screen reader (`artread browse`), built on Textual.

library: what it shows, from the core (no Textual); lines: Rich renderables as lines of a
screen; widgets: one per file (entries, article, outline); screens: front page, search,
article, help and picker; app: the application, its back stack and keys. Textual is imported
by this package alone, and only when the reader starts (the other commands never load it).
"""
