"""The garbage collector's settings for a long-running Salon process (server or worker).

Start-up objects live as long as the process: freezing them keeps them out of every
collection. Thousands of short-lived objects per broadcast (frames to sockets, pushes
to devices) made the collector the tail of delivery latency and a tenth of the push
worker's CPU, so it collects less often (see bench/README.md). `SALON_GC_TUNING=false`
keeps Python's defaults.
"""

from __future__ import annotations

import gc


def tune_collector() -> None:
    gc.freeze()
    gc.set_threshold(50_000, 50, 1_000)
