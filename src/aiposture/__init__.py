"""aiposture: policy-as-code security posture checks for cloud AI deployments.

Every source (live cloud APIs, infrastructure-as-code) becomes one common
inventory; every rule reads only that inventory; every report is a view of
the findings. See docs/architecture.md.
"""

__version__ = "0.1.0"
