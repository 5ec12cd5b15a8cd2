"""keysweep: find leaked cloud AccessKeys in file trees and git history.

The public library API. The command line (``scanner.cli``) is a thin layer over it.
"""

from scanner.engine.config import ScanConfig
from scanner.engine.scanner import scan_paths, scan_text
from scanner.models import Finding, Location, Pairing, ScanResult, Skipped
from scanner.rules.loader import load_rules

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "Location",
    "Pairing",
    "ScanConfig",
    "ScanResult",
    "Skipped",
    "__version__",
    "load_rules",
    "scan_paths",
    "scan_text",
]
