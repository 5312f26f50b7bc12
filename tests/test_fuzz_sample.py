"""Fuzzing the YAML dataset reader (sources/sample.py): any files in, a Dataset or a DatasetError
naming the folder out, in bounded time. Crashes found by fuzzing are kept below as regression tests."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from freedomledger.sources.sample import FILES, DatasetError, read_dataset
from reliability_helpers import fuzz_settings, mutations, no_hang, replace_at, tree_paths

DATASET = Path(__file__).parent / "fixtures" / "dataset"
KNOWN: list[tuple[type[BaseException], str, str]] = []  # every crash found so far is fixed

FIELDS = {
    "sources": ["key", "outlet", "title", "published", "kind", "url"],
    "organizations": ["key", "kind", "country", "ids", "names", "sources", "notes"],
    "persons": ["key", "gender", "birth_date", "citizenships", "roles", "affiliations", "names", "notes",
                "status", "sources", "confidential_notes", "published"],
    "releases": ["key", "releasing_state", "date", "date_end", "kind", "announced_count", "count_claims",
                 "destination", "destination_counts", "mediators", "persons", "sources", "notes"],
    "sanctions": ["key", "authority", "program", "target", "action", "date", "date_end", "source", "notes"],
    "deals": ["key", "title", "counterpart", "releases", "sanctions", "meetings", "sources", "notes"],
}
KEYS = ["s1", "s2", "o1", "p1", "r1", "a1", "d1"]
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 3000), st.text(max_size=12), st.sampled_from(KEYS),
    st.sampled_from(["2025", "2025-06", "2025-06-21", "2025-13", "BY", "US", "pardon", "detained",
                     "designated", "female", "article", "latin"]),
)
value = st.recursive(
    scalar,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["text", "status", "date", "source", "org", "person", "value",
                                       "role", "release", "kind", "lang", "description"]) | st.text(max_size=4),
                      children, max_size=4),
    max_leaves=8,
)


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, str]:
    files = {}
    for stem in draw(st.lists(st.sampled_from(FILES), unique=True)):
        entries = []
        for _ in range(draw(st.integers(0, 3))):
            chosen = draw(st.lists(st.sampled_from(FIELDS[stem]), unique=True, max_size=6))
            entry = {name: draw(value) for name in chosen}
            if draw(st.integers(0, 3)):
                entry["key"] = draw(st.sampled_from(KEYS) | value)
            entries.append(entry)
        document = entries if draw(st.integers(0, 5)) else draw(value)
        files[stem] = yaml.safe_dump(document, allow_unicode=True)
    return files


def read_folder(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for stem, data in files.items():
            (folder / f"{stem}.yaml").write_bytes(data)
        try:
            with no_hang():
                read_dataset(folder)
            event("read")
        except DatasetError as exc:
            assert str(folder) in str(exc), f"the error does not name the folder: {exc}"
            event("DatasetError")
        except Exception as exc:  # noqa: BLE001 - the property is about which errors escape
            for kind, pattern, _test in KNOWN:
                if isinstance(exc, kind) and re.search(pattern, str(exc)):
                    event(f"known bug: {kind.__name__}")
                    return
            raise


@fuzz_settings(share=0.3)
@given(datasets())
def test_dataset_reader_on_random_yaml(files: dict[str, str]) -> None:
    read_folder({stem: text.encode() for stem, text in files.items()})


@fuzz_settings(share=0.2)
@given(st.sampled_from(FILES), st.binary(max_size=1000))
def test_dataset_reader_on_arbitrary_bytes(stem: str, data: bytes) -> None:
    read_folder({stem: data})


@fuzz_settings(share=0.25)
@given(st.sampled_from(sorted(p.stem for p in DATASET.glob("*.yaml"))).flatmap(
    lambda stem: st.tuples(st.just(stem), mutations((DATASET / f"{stem}.yaml").read_bytes()))))
def test_dataset_reader_on_mutated_fixture(case: tuple[str, bytes]) -> None:
    stem, data = case
    files = {p.stem: p.read_bytes() for p in DATASET.glob("*.yaml")}
    files[stem] = data
    read_folder(files)


FIXTURE_TREES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in DATASET.glob("*.yaml")}


@st.composite
def tree_mutations(draw: st.DrawFn) -> dict[str, bytes]:
    """The fixture dataset with a few values anywhere in its YAML trees swapped for random ones."""
    trees = dict(FIXTURE_TREES)
    for _ in range(draw(st.integers(1, 3))):
        stem = draw(st.sampled_from(sorted(trees)))
        path = draw(st.sampled_from(list(tree_paths(trees[stem]))))
        trees[stem] = replace_at(trees[stem], path, draw(value))
    return {stem: yaml.safe_dump(tree, allow_unicode=True).encode() for stem, tree in trees.items()}


@fuzz_settings(share=0.25)
@given(tree_mutations())
def test_dataset_reader_on_fixture_with_swapped_values(files: dict[str, bytes]) -> None:
    read_folder(files)


@pytest.mark.parametrize("stem", FILES)
def test_the_unmutated_fixture_reads(stem: str) -> None:
    """The mutation test starts from a dataset that reads cleanly."""
    assert read_dataset(DATASET).persons


# --- crashes the fuzzing found, since fixed: they must stay fixed ---------------------------------

def _fixture_with(tmp_path: Path, stem: str, change) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "dataset"
    folder.mkdir()
    for name, tree in FIXTURE_TREES.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(change(tree) if name == stem else tree,
                                                             allow_unicode=True), encoding="utf-8")
    return folder


def test_dataset_not_utf8_is_a_dataset_error(tmp_path: Path) -> None:
    (tmp_path / "persons.yaml").write_bytes(b"\x80")
    with pytest.raises(DatasetError, match=re.escape(str(tmp_path))):
        read_dataset(tmp_path)


def _set(path: tuple, new):  # type: ignore[no-untyped-def, type-arg]
    return lambda tree: replace_at(tree, path, new)


@pytest.mark.parametrize("stem,change", [
    ("sources", _set((0, "key"), ["s2"])),                       # read_dataset: `key in target`
    ("organizations", _set((0, "ids"), [1])),                   # _organization: .items() on a list
    ("deals", _set((0, "meetings", 0, "source"), [])),          # _check_references need(): unhashable
    ("releases", _set((0, "mediators", 0), None)),              # `"person" in None`
    ("sanctions", _set((0, "target"), {})),                     # `target not in ...`: unhashable
    ("releases", _set((0, "count_claims", 0), [True])),         # claim.get on a list
], ids=["key-list", "org-ids-list", "meeting-source-list", "mediator-null", "target-mapping", "claim-list"])
def test_dataset_of_the_wrong_shape_is_a_dataset_error(tmp_path: Path, stem: str, change) -> None:  # type: ignore[no-untyped-def]
    folder = _fixture_with(tmp_path, stem, change)
    with pytest.raises(DatasetError, match=re.escape(str(folder))):
        read_dataset(folder)
