"""Build commands of a published Go module through a small wrapper module.

`go install module@version` refuses modules whose go.mod has replace directives
pointing into their own repository (k8s.io/kubernetes' staging modules, etcd's
sibling modules). The wrapper requires the module and re-points each such local
replace at the published module of the same name.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .steps import StepFailed, output_of, run_step

GO_DOWNLOAD_TIMEOUT = 600
GO_BUILD_TIMEOUT = 2400
LOCAL_REPLACE = re.compile(r"^\s*(?:replace\s+)?(\S+)\s+=>\s+(\.{1,2}/\S*)\s*$", re.M)
REQUIRED = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)(?:\s*//.*)?$", re.M)
UNVERSIONED = "v0.0.0"  # what k8s.io/kubernetes requires its staging modules at
KEPT_DIRECTIVES = re.compile(r"^(go|godebug|toolchain)\s.*$", re.M)
# `go list` naming a module version the proxy or the checksum database refuses
UNSERVED = re.compile(r"(\S+@v[^\s:]+): (?:reading|verifying module)\S*.*?(\b[45]\d\d\b[^\n]*)")


@dataclass(frozen=True)
class GoModule:
    """A published module at a version, and how to version those in-repo siblings its go.mod
    requires at v0.0.0 (the others are taken at the version it requires, e.g. etcd's client/v2 v2.305.x)."""

    path: str
    version: str
    sibling_version: Callable[[str], str]

    def download(self) -> dict:
        """`go mod download -json` of the module (cached by Go)."""
        return json.loads(output_of(["go", "mod", "download", "-json", f"{self.path}@{self.version}"],
                                    timeout=GO_DOWNLOAD_TIMEOUT))

    def release_time(self) -> str:
        """When the version was published (RFC 3339), as the module proxy says."""
        return output_of(["go", "list", "-m", "-f", "{{.Time.Format \"2006-01-02T15:04:05Z\"}}",
                          f"{self.path}@{self.version}"], cwd=Path("/"), timeout=GO_DOWNLOAD_TIMEOUT).strip()


def wrapper_go_mod(module: GoModule, upstream_go_mod: str) -> str:
    """go.mod text of a wrapper that builds `module` with its local replaces made remote."""
    lines = ["module local/wrapper", ""]
    lines += [m.group(0) for m in KEPT_DIRECTIVES.finditer(upstream_go_mod)]
    lines += ["", f"require {module.path} {module.version}", ""]
    required = dict(REQUIRED.findall(upstream_go_mod))
    for dependency, _local in LOCAL_REPLACE.findall(upstream_go_mod):
        if dependency in required:  # skips markers such as `x => ./FORBIDDEN_DEPENDENCY`
            version = required[dependency]
            if version.startswith(UNVERSIONED):
                version = module.sibling_version(dependency)
            lines.append(f"replace {dependency} => {dependency} {version}")
    return "\n".join(lines) + "\n"


def unserved_modules(go_output: str) -> list[str]:
    """Module versions a failed `go list`/`go build` could not get, each with the refusal (e.g. 403 Forbidden)."""
    found = {}
    for module, refusal in UNSERVED.findall(go_output):
        found.setdefault(module, refusal.split(":")[0].strip())
    return [f"{module} ({refusal})" for module, refusal in found.items()]


def _resolve(step: str, packages: list[str], src: Path, go_env: dict[str, str]) -> None:
    """Fetch what building `packages` needs (not the tests' dependencies, as `go mod tidy` would);
    a module version the proxy does not serve is named in one line, in seconds rather than after a build."""
    try:
        run_step(f"{step} resolve", ["go", "list", "-deps", *packages], cwd=src, env=go_env,
                 timeout=GO_DOWNLOAD_TIMEOUT)
    except StepFailed as err:
        missing = unserved_modules(err.log.read_text(errors="replace") if err.log else str(err))
        if missing:
            raise StepFailed(f"{step} can not be built here: the Go module proxy (or its checksum database) "
                             f"does not serve {', '.join(missing)}") from None
        raise


def build_commands(module: GoModule, packages: list[str], out_dir: Path, *, ldflags: str = "",
                   step: str) -> None:
    """Build `packages` of `module` into out_dir (static, trimmed, CGO off)."""
    info = module.download()
    src = out_dir.parent / "wrapper"
    src.mkdir(parents=True, exist_ok=True)
    (src / "go.mod").write_text(wrapper_go_mod(module, Path(info["GoMod"]).read_text()))
    go_env = {"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    _resolve(step, packages, src, go_env)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_step(f"{step} go build", ["go", "build", "-trimpath", "-ldflags", f"-s -w {ldflags}",
                                  "-o", str(out_dir) + "/", *packages],
             cwd=src, env=go_env, timeout=GO_BUILD_TIMEOUT)
