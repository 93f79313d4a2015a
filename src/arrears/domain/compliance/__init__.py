"""Compliance: the rules that make every contact lawful, kept as data (policy packs).

``facts`` holds what a decision reads, ``rules`` what a rule is, the ``checks_*``
modules the checks a pack's rules name, ``evaluate`` how one decision is reached.
"""
