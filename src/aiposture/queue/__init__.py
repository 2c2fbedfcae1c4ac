"""Distributed scans: one Celery task per account x region (subscription, project), results in the store.

``aiposture scan aws|azure|gcp ... --queue redis://... --store URL`` plans the
units of work (:mod:`.plan`), records a running scan in the store and enqueues one
task per unit; ``aiposture worker`` runs them (:mod:`.tasks`, :mod:`.units`): each
collects its scope with the worker's own credentials and writes its part of the
inventory to the store. When every part is in, the finaliser (:mod:`.finalize`)
evaluates the rules over the assembled inventory and saves one scan.

Why the store and not Celery's result backend carries the parts: it already is
the place scans live, it is transactional (a part is all there or not there) and
the waiting client, ``aiposture history`` and a ``--no-wait`` finaliser all read
the same rows. Celery is imported only by the commands that use a queue.
"""

from aiposture.queue.app import QueueError

__all__ = ["QueueError"]
