"""Helper processes (parse workers, the page reader) end with the crawl that started them.

A crawl killed outright (SIGKILL, the OOM killer) runs no clean-up: without this its helpers would
live on, idle, holding their memory, one set per killed crawl of a scheduled job."""
from __future__ import annotations

import os
import threading
import time


def exit_with_parent(interval: float = 1.0) -> None:
    """In a helper process: exit as soon as the process that started it is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)
    threading.Thread(target=watch, name="nianbao-lifeline", daemon=True).start()
