"""The children roster import (DESIGN.md section 4): check every row, then write in bulk.

One pass over the file, in chunks of CHUNK rows. Each chunk is parsed and checked cell by cell
(`parse.parse_row`), then compared with what the registry holds for the chunk's ID numbers, read in
a handful of queries per chunk (`compare`). The result per row is new / changed (with the fields
that change) / unchanged / invalid. On commit, the same pass also writes each chunk (`write`: COPY
inserts, bulk updates, one audit entry per child); the caller holds one transaction around the
whole file and rolls it back when any row is invalid.

The rules are those of the registry, mirrored rather than called row by row (a row-by-row
`full_clean()` with its queries is far too slow for 100,000 rows):
- ID numbers through `dingzhou_welfare.idnumbers` (the one GB 11643 validator), birth date and sex must agree;
- classifications as in `children.rules.classification_problems`, without the parents' situations,
  which a roster does not carry (age limits, rural registration, disability data, exclusive kinds);
- programmes as in `subsidies.eligibility.enrolment_problems` (age limit, classification held,
  disability); an enrolment brought in by import is confirmed, starts in the given month and counts
  as paid by the previous system up to the month before the import (DESIGN.md section 3).
Empty optional cells leave what the registry holds; an import never deletes or ends anything.
"""

import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

from ..readers import open_sheet
from .columns import CHUNK, COLUMNS, OPTIONAL_COLUMNS, REQUIRED
from .compare import _load_existing, compare
from .parse import Context, Row, parse_row
from .write import Written, refresh_duplicate_flags, write_chunk

__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED",
    "Context",
    "Row",
    "Written",
    "analyse",
    "compare",
    "parse_row",
    "refresh_duplicate_flags",
    "write_chunk",
]


def analyse(
    path,
    fmt: str,
    *,
    ctx: Context | None = None,
    progress: Callable[[int], None] | None = None,
    cache: Path | None = None,
) -> Iterator[list[Row]]:
    """Yield the file's rows in chunks, each checked and compared with the registry.

    `cache`: the preview writes the raw cells there (pickled chunks, next to the upload); the commit
    reads them back instead of unpacking the workbook a second time. Either way every cell is
    parsed and checked again.
    """
    ctx = ctx or Context.load()
    if cache is not None and cache.exists():
        header, rows, out = *_read_cache(cache), None
    else:
        sheet = open_sheet(path, fmt, required=REQUIRED, known=COLUMNS + OPTIONAL_COLUMNS, sheet_name="儿童花名册")
        header, rows = sheet.header, sheet.rows
        out = cache.with_name(cache.name + ".part").open("wb") if cache is not None else None
    done = 0
    try:
        if out is not None:
            pickle.dump(header, out, protocol=pickle.HIGHEST_PROTOCOL)
        for chunk_rows in _chunks(rows):
            if out is not None:
                pickle.dump(chunk_rows, out, protocol=pickle.HIGHEST_PROTOCOL)
            chunk = []
            for line, raw in chunk_rows:
                row = Row(line=line, raw=raw)
                parse_row(row, header, ctx)
                chunk.append(row)
            existing = _load_existing(chunk)
            for row in chunk:
                compare(row, existing.get(row.lookup), ctx)
            yield chunk
            done += len(chunk)
            if progress:
                progress(done)
    except BaseException:
        if out is not None:
            out.close()
            cache.with_name(cache.name + ".part").unlink(missing_ok=True)
            out = None
        raise
    finally:
        if out is not None:
            out.close()
            cache.with_name(cache.name + ".part").replace(cache)


def _chunks(rows) -> Iterator[list]:
    chunk = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_cache(cache: Path):
    handle = cache.open("rb")
    # Our own file, written by the preview next to the upload in MEDIA_ROOT: never user input.
    header = pickle.load(handle)  # noqa: S301

    def rows():
        with handle:
            while True:
                try:
                    chunk = pickle.load(handle)  # noqa: S301
                except EOFError:
                    return
                yield from chunk

    return header, rows()
