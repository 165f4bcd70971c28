"""Build commands of a published Go module through a small wrapper module.

`go install module@version` refuses modules whose go.mod has replace directives
pointing into their own repository (k8s.io/kubernetes' staging modules, etcd's
sibling modules). The wrapper requires the module and re-points each such local
replace at the published module of the same name.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .steps import output_of, run_step

GO_DOWNLOAD_TIMEOUT = 600
GO_BUILD_TIMEOUT = 2400
LOCAL_REPLACE = re.compile(r"^\s*(?:replace\s+)?(\S+)\s+=>\s+(\.{1,2}/\S*)\s*$", re.M)
REQUIRED = re.compile(r"^\s*(?:require\s+)?(\S+)\s+v\S+(?:\s*//.*)?$", re.M)
KEPT_DIRECTIVES = re.compile(r"^(go|godebug|toolchain)\s.*$", re.M)


@dataclass(frozen=True)
class GoModule:
    """A published module at a version, and how to version its in-repo siblings."""

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
    required = set(REQUIRED.findall(upstream_go_mod))
    for dependency, _local in LOCAL_REPLACE.findall(upstream_go_mod):
        if dependency in required:  # skips markers such as `x => ./FORBIDDEN_DEPENDENCY`
            lines.append(f"replace {dependency} => {dependency} {module.sibling_version(dependency)}")
    return "\n".join(lines) + "\n"


def build_commands(module: GoModule, packages: list[str], out_dir: Path, *, ldflags: str = "",
                   step: str) -> None:
    """Build `packages` of `module` into out_dir (static, trimmed, CGO off)."""
    info = module.download()
    src = out_dir.parent / "wrapper"
    src.mkdir(parents=True, exist_ok=True)
    (src / "go.mod").write_text(wrapper_go_mod(module, Path(info["GoMod"]).read_text()))
    imports = "\n".join(f'\t_ "{p}"' for p in packages)
    (src / "tools.go").write_text(f"//go:build tools\n\npackage tools\n\nimport (\n{imports}\n)\n")
    go_env = {"CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    run_step(f"{step} go mod tidy", ["go", "mod", "tidy"], cwd=src, env=go_env, timeout=GO_DOWNLOAD_TIMEOUT)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_step(f"{step} go build", ["go", "build", "-trimpath", "-ldflags", f"-s -w {ldflags}",
                                  "-o", str(out_dir) + "/", *packages],
             cwd=src, env=go_env, timeout=GO_BUILD_TIMEOUT)
