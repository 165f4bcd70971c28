"""A kubeconfig given as a list of files (KUBECONFIG=a:b, as kubectl takes it) made into one file:
the run's kubectl, its workers and its API clients all read one path.

kubectl's rules: for each cluster, user and context name the first file naming it wins; the
first file setting current-context sets it; a relative file path in a file (a certificate, a
token file) is relative to that file.
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

SECTIONS = {"clusters": "cluster", "users": "user", "contexts": "context"}
FILE_FIELDS = ("certificate-authority", "client-certificate", "client-key", "tokenFile")


def paths_of(kubeconfig: str) -> list[str]:
    """The files of a kubeconfig list (os.pathsep-separated, empty entries skipped)."""
    return [path for path in kubeconfig.split(os.pathsep) if path]


def _absolute(entry: dict, base: Path) -> dict:
    """`entry` with its file fields made absolute from `base`."""
    return {key: str(base / value) if key in FILE_FIELDS and isinstance(value, str) and not Path(value).is_absolute()
            else value for key, value in entry.items()}


def merged(paths: list[str]) -> dict:
    """One kubeconfig from several files, as kubectl merges them (missing files skipped, as kubectl does)."""
    result: dict = {"apiVersion": "v1", "kind": "Config", **{section: [] for section in SECTIONS}}
    for path in paths:
        file = Path(path)
        if not file.is_file():
            continue
        loaded = yaml.safe_load(file.read_text()) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"kubeconfig {path}: not a kubeconfig")
        if loaded.get("current-context") and "current-context" not in result:
            result["current-context"] = loaded["current-context"]
        for section, inner in SECTIONS.items():
            known = {item["name"] for item in result[section]}
            for item in loaded.get(section) or []:
                if isinstance(item, dict) and item.get("name") not in known:
                    known.add(item["name"])
                    body = item.get(inner) or {}
                    result[section].append({**item, inner: _absolute(body, file.resolve().parent)})
    return result


def one_file(kubeconfig: str, scratch: Path) -> str:
    """`kubeconfig` itself when it names one file; else its files merged into one in `scratch`."""
    paths = paths_of(kubeconfig)
    if len(paths) == 1:
        return paths[0]
    existing = [path for path in paths if Path(path).is_file()]
    if not existing:
        return kubeconfig  # attach names the missing files
    target = scratch / "kubeconfig"
    target.write_text(yaml.safe_dump(merged(existing)))
    target.chmod(0o600)
    return str(target)
