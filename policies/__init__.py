"""The alb-guardrails policy pack directory (run by the engine through __main__.py).

This file only gives the pack a package name inside the repository, so that type checkers tell
``policies/__main__.py`` apart from the program's ``__main__.py``; the engine never imports it.
"""
