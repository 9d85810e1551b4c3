"""What the user sees: Rich views, JSON, layout of Chinese text, the pager."""
