"""Jinja2 templates for e-mails (a package so the files ship with the wheel)."""
