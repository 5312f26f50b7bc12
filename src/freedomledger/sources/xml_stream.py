"""One pass over an XML list file (UN, EU): check the root, read each entry, refuse damage.

Both lists are a root element whose attributes carry the publication date, then one element
per listed person or entity. lxml's iterparse reads them one at a time and each is cleared
once read, so a large file never sits in memory as a tree.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection

from lxml import etree

from freedomledger.sources.common import ListEntry, ListFormatError


def local_name(tag: object) -> str:
    """The tag without its namespace ("{ns}export" -> "export"); comments have none."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def stream_entries(
    name: str, data: bytes, *, root: str, what: str, entry_tags: Collection[str], id_field: str,
    read_entry: Callable[[etree._Element, str], ListEntry],
) -> tuple[dict[str, str], list[ListEntry]]:
    """(the root's attributes, the entries). `what` names the list in the error for a wrong
    root; `id_field` names the external id in the error for a repeated one."""
    root_attributes: dict[str, str] | None = None
    entries: list[ListEntry] = []
    seen: dict[str, int] = {}
    try:
        context = etree.iterparse(io.BytesIO(data), events=("start", "end"), huge_tree=True,
                                  resolve_entities=False, no_network=True)
        for event, elem in context:
            if event == "start":
                if root_attributes is None:
                    if local_name(elem.tag) != root:
                        raise ListFormatError(f"has root <{local_name(elem.tag)}>, not <{root}>.", file=name,
                                              line=elem.sourceline, hint=f"this is not {what}.")
                    root_attributes = {str(k): str(v) for k, v in elem.attrib.items()}
                continue
            if local_name(elem.tag) in entry_tags:
                entry = read_entry(elem, name)
                if entry.external_id in seen:
                    raise ListFormatError(
                        f"{id_field.rsplit('@', 1)[-1]} {entry.external_id} appears twice (first on line "
                        f"{seen[entry.external_id]}).", file=name, line=elem.sourceline,
                        field=id_field, hint="the file is damaged.")
                seen[entry.external_id] = elem.sourceline or 0
                entries.append(entry)
                elem.clear()
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(f"is not well-formed XML: {exc.msg}.", file=name, line=exc.lineno,
                              hint="the download is truncated or damaged; download it again.") from exc
    if root_attributes is None:
        raise ListFormatError("is empty.", file=name, hint="download the file again.")
    return root_attributes, entries
