"""Business rules. Nothing here imports Textual, screens or widgets (checked by lint-imports)."""
