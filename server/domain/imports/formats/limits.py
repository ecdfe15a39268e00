"""Every bound an import file meets, in one place (README, "Limits").

A file is refused whole when it passes one of the file-wide bounds, before it costs
anything; a value past its bound is a refusal of its row, with where and why.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from server.domain.changes import MAX_TITLE
from server.domain.instants import EARLIEST, LATEST

#: The largest file read at all: checked on the bytes, before any parsing.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
#: Data rows of a spreadsheet, sessions of a schedule.
MAX_ROWS: Final = 10_000
#: Refusals reported for one file; the rest are counted ("… and N more").
MAX_REFUSALS: Final = 2_000
#: Columns of a spreadsheet; cells read from a workbook (a zip bomb stops here).
MAX_COLUMNS: Final = 64
MAX_CELLS: Final = (MAX_ROWS + 1) * MAX_COLUMNS
#: A workbook's parts once unzipped, as their own headers declare them (Python's zipfile
#: never inflates an entry past its declared size).
MAX_XLSX_UNPACKED: Final = 64 * 1024 * 1024
MAX_XLSX_PARTS: Final = 1_000

#: Characters of one value, once stripped.
MAX_TITLE_CHARS: Final = MAX_TITLE
MAX_NAME_CHARS: Final = 200  # exhibitors, speakers, rooms, tracks, the fair
MAX_LONG_TEXT_CHARS: Final = 10_000  # abstracts, descriptions, biographies
MAX_WEBSITE_CHARS: Final = 500
#: Items of one list cell: a session's speakers, an exhibitor's stands and sectors.
MAX_LIST_ITEMS: Final = 50
#: Seats in a room or a session.
MAX_CAPACITY: Final = 100_000
#: The longest session.
MAX_SESSION: Final = timedelta(hours=24)
#: Years an instant may fall in: the API's own bounds.
FIRST_YEAR: Final = EARLIEST.year
LAST_YEAR: Final = LATEST.year
