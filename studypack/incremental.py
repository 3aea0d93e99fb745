"""Which outputs are up to date: a hash of every input of each file, kept in the output folder.

An output's key covers the pack file and the images it uses, the builder (templates, stylesheets,
fonts, studypack's own source, WeasyPrint's version) and the options that shape the file. A pack
whose file is unchanged is checked from the manifest alone, without loading it or WeasyPrint.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
from datetime import date
from pathlib import Path

from .assets import TEMPLATES

MANIFEST_NAME = ".studypack-cache.json"
FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
# Options that choose what is built or where, but do not change the bytes of a file.
NOT_SHAPING = {"content", "output", "packs", "editions", "check", "force", "jobs", "booklet",
               "memory_limit"}


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def builder_digest() -> str:
    """Templates, stylesheets, fonts, studypack's source and WeasyPrint's version, as one hash."""
    digest = hashlib.sha256()
    files = [p for root in (TEMPLATES, PACKAGE) for p in sorted(root.rglob("*"))
             if p.is_file() and p.suffix != ".pyc"]
    spec = importlib.util.find_spec("weasyprint")  # its __init__ names its version; not imported
    if spec and spec.origin:
        files.append(Path(spec.origin))
    for path in files:
        digest.update(f"{path.parent.name}/{path.name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def options_shape(options, when: date) -> str:
    """The options that shape every file of a build (paper, selection...), with its date."""
    shaping = {f.name: repr(getattr(options, f.name)) for f in dataclasses.fields(options)
               if f.name not in NOT_SHAPING}
    shaping["date"] = when.isoformat()
    return json.dumps(shaping, sort_keys=True)


def image_sources(model) -> list[str]:
    """Every image `src` in a pack model, wherever the schema lets an image appear: image blocks
    and images in markdown."""
    from .markdown_images import NOT_MARKDOWN
    from .model import Image
    from .render import markdown_images_in

    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, Image):
            found.append(value.src)
            walk(value.caption)
        elif isinstance(value, str):
            found.extend(src for src, _ in markdown_images_in(value))
        elif hasattr(type(value), "model_fields"):
            for name in type(value).model_fields:
                if name not in NOT_MARKDOWN:
                    walk(getattr(value, name))

    walk(model)
    return sorted(set(found))


class BuildCache:
    """The manifest of one output folder: what each file was built from, and what its packs use."""

    def __init__(self, output: Path, shape: str):
        self.path = output / MANIFEST_NAME
        self.shape = shape
        self.builder = builder_digest()
        self.packs: dict[str, dict] = {}
        self.outputs: dict[str, dict] = {}
        self.changed = False
        self._digests: dict[Path, str] = {}
        self._read()

    def _read(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no manifest, or an unreadable one: everything is rebuilt
        if isinstance(data, dict) and data.get("format") == FORMAT:
            self.packs = data.get("packs") or {}
            self.outputs = data.get("outputs") or {}

    def _digest(self, path: Path) -> str:
        if path not in self._digests:
            self._digests[path] = file_digest(path)
        return self._digests[path]

    def key(self, pack_path: Path, images: list[str], edition: str, target: Path) -> str:
        folder = pack_path.parent
        parts = [FORMAT, self.builder, self.shape, edition, target.name,
                 self._digest(pack_path), [(src, self._digest(folder / src)) for src in images]]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def _is_current(self, target: Path, key: str) -> bool:
        entry = self.outputs.get(target.name)
        if not entry or entry.get("key") != key:
            return False
        try:
            return target.stat().st_size == entry.get("size")
        except OSError:
            return False

    def stale_outputs(self, pack_path: Path, outputs: list[tuple[str, Path]]
                      ) -> list[tuple[str, Path]]:
        """The (edition, target) pairs that must be built again: all of them when the pack file
        changed since it was last built, else those whose other inputs changed."""
        known = self.packs.get(str(pack_path.resolve()))
        if not known or known.get("digest") != self._digest(pack_path):
            return outputs
        images = known.get("images", [])
        return [(edition, target) for edition, target in outputs
                if not self._is_current(target, self.key(pack_path, images, edition, target))]

    def remember_pack(self, loaded) -> None:
        """Record a freshly loaded pack: its file's hash and the images it uses."""
        record = {"digest": self._digest(Path(loaded.path)), "images": image_sources(loaded.pack)}
        name = str(Path(loaded.path).resolve())
        if self.packs.get(name) != record:
            self.packs[name] = record
            self.changed = True

    def _job_key(self, job) -> str:
        path = Path(job.pack.path)
        images = self.packs[str(path.resolve())]["images"]
        return self.key(path, images, job.edition, job.target)

    def job_is_current(self, job) -> bool:
        """Its file is as the inputs would make it, and so is its booklet, when one is asked for."""
        return (self._is_current(job.target, self._job_key(job))
                and all(target.is_file() for target in job.targets))

    def remember_output(self, job) -> None:
        self.outputs[job.target.name] = {"key": self._job_key(job),
                                         "size": job.target.stat().st_size}
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        from .pdf import write_atomic

        data = {"format": FORMAT, "packs": self.packs, "outputs": self.outputs}
        try:
            write_atomic(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
        except OSError:  # the build has reported what it could not write; next time rebuilds
            return
        self.changed = False
