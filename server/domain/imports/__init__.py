"""Loading a fair from files: each format's parser turns a file into an ImportedFair
(model.py), or refuses it with every bad row at once; applying an ImportedFair writes
it in one transaction, keyed by stable ids, and tells the people a change affects."""
