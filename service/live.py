"""The QA service over whatever index generation a data dir publishes, swapped without a restart.

A request takes the current service object once and answers from it to the end; a new generation
is loaded completely beside it and only then becomes current, so no request sees half an index.
"""

from __future__ import annotations

import logging
import threading

from index.embedder import Embedder
from index.layout import IndexNotFound, current_generation
from index.pins import Pin, pin
from service.qa import QAService, make_embedder
from service.settings import Settings

log = logging.getLogger("wenda")


class LiveService:
    """The current QAService of a data dir (None until an index exists), kept current by
    `refresh`, which a background thread calls every settings.reload_seconds."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.service: QAService | None = None
        self.error: str | None = None  # why there is no service, or why the newest failed
        self._seen: str | None = None  # the generation last loaded or found unloadable
        self._pin: Pin | None = None  # on the build folder served: no build deletes it
        self._loading = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> bool:
        """Load the data dir's generation if it is not the one served; True when it swapped."""
        seen = self._seen
        if seen is not None and current_generation(self.settings.data_dir) == seen:
            return False
        with self._loading:
            generation = current_generation(self.settings.data_dir)
            if generation is not None and generation == self._seen:
                return False
            # pinned while it loads and then while it is served
            loading = pin((self.settings.data_dir / "index").resolve())
            try:
                service = QAService.load(self.settings, self.embedder)
                service.warm_up()
            except IndexNotFound as exc:
                self.error = str(exc)
                self._unpin(loading)
                return False
            except Exception as exc:
                self._unpin(loading)
                # a generation replaced while it loaded, or one that cannot be served (a damaged
                # file: IndexDamaged names it): keep serving the previous one and say why
                self.error = str(exc)
                self._seen = generation
                log.warning("index generation %s not loaded: %s", generation, exc)
                return False
            if loading is None or loading.folder != service.index.folder:
                self._unpin(loading)  # the link moved on between pinning and loading
                loading = pin(service.index.folder)
            self._unpin(self._pin)
            self._pin = loading
            self.service, self._seen, self.error = service, generation, None
            log.info(
                "serving index generation %s (%d articles)",
                service.index.manifest.generation or generation,
                service.index.manifest.articles,
            )
            return True

    @staticmethod
    def _unpin(held: Pin | None) -> None:
        if held is not None:
            held.release()

    def start(self) -> None:
        """Refresh now, then every reload_seconds in a background thread until `stop`."""
        self.refresh()
        self._thread = threading.Thread(target=self._watch, name="wenda-index-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.reload_seconds):
            try:
                self.refresh()
            except Exception:  # the watcher must outlive any one failed load
                log.exception("index refresh failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._unpin(self._pin)
        self._pin = None
