import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = Path(os.environ.get("MARITIME_AIS_CORPUS", SHARED / "corpus" / "ais"))


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "expected.jsonl").exists():
        pytest.skip(f"AIS conformance corpus not found at {CORPUS}")
    return CORPUS
