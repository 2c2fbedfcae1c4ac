"""Shared printout of the live-scan benchmarks."""

from __future__ import annotations


def print_scan(title: str, doc: dict, wall: float, cpu: float, cpu_label: str = "CPU (scanner + in-process fake)") -> None:
    res, calls = len(doc["resources"]), doc["scan"]["api_calls"]
    print(title)
    print(f"  wall time        {wall:.2f} s")
    print(f"  {cpu_label} {cpu:.2f} s ({cpu / max(calls, 1) * 1000:.1f} ms per call)")
    print(f"  resources        {res}")
    print(f"  API calls        {calls}")
    print(f"  calls/resource   {calls / max(res, 1):.2f}")
    print(f"  scope errors     {len(doc['errors'])}")
