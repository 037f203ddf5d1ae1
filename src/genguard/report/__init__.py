"""The report card: HTML (Jinja2) and JSON views of genguard results."""
