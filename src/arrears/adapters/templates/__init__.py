"""Message templates (SMS and e-mail): loaded and checked once, rendered per message."""

from arrears.adapters.templates.book import TemplateBook

__all__ = ["TemplateBook"]
