"""The public exports of the programme and the directory, one module per format:
frab / c3voc schedule XML (frab_xml.py) and JSON (c3voc_json.py), the whole programme
as iCalendar (ics.py), the public change log as Atom (atom.py), the exhibitor directory
as CSV (directory_csv.py). Each renders bytes from rows read in one snapshot; the
cache (cache.py) renders each once per agenda version and process."""
