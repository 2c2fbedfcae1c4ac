"""Pre-deploy sources: infrastructure-as-code read into the same inventory as live scans.

Readers (one per format) produce :class:`~aiposture.iac.base.RawResource`
objects in the provider's API shape (snake_case), with file, line, unresolved
references and inline suppressions; :mod:`aiposture.iac.build` links them
(deployment -> RAI policy, agent -> guardrail, diagnostic setting -> account)
and maps them to inventory resources with the shared normalisers.
Entry point: :func:`aiposture.iac.scan.scan_paths`.
"""
