"""studypack: interview-question packs in YAML, built into print-ready PDFs."""

__version__ = "0.1.0"
