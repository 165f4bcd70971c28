"""A file server on 127.0.0.1 standing in for the release download sites: each file with its sha256."""
from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *_args) -> None:  # requests are not progress worth printing
        pass


class FileServer:
    """`with FileServer() as files:` serves a temporary folder; publish() adds a file and its checksum."""

    def __enter__(self) -> FileServer:
        self._root = Path(tempfile.mkdtemp(prefix="rehearsal-files-"))
        handler = functools.partial(_QuietHandler, directory=str(self._root))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        shutil.rmtree(self._root, ignore_errors=True)

    @property
    def root(self) -> Path:
        """The folder served at /."""
        return self._root

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def publish(self, path: str, source: Path, checksum_suffix: str) -> None:
        """Serve `source` at /<path> and `<sha256>  <name>` at /<path><checksum_suffix>."""
        target = self._root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        Path(f"{target}{checksum_suffix}").write_text(f"{digest}  {target.name}\n")
