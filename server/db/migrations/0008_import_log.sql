-- Re-importing a file that was already applied, when nothing it reads has changed
-- since, is answered from this log instead of being parsed and compared again.

-- The agenda version at which each agenda table last really changed (a statement that
-- writes rows over with the values they had is no change), stamped by the same
-- triggers as agenda_change, under the agenda_state lock.
CREATE TABLE agenda_table_state (
    tbl      text PRIMARY KEY,
    version  bigint NOT NULL
);
INSERT INTO agenda_table_state (tbl, version)
SELECT t, (SELECT version FROM agenda_state)
  FROM unnest(ARRAY['event', 'sector', 'track', 'hall', 'room', 'exhibitor', 'booth', 'poi',
                    'walkway_node', 'walkway_edge', 'speaker', 'session',
                    'session_speaker']) t;

-- As in 0006, and the table's stamp besides.
CREATE OR REPLACE FUNCTION agenda_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
    touched jsonb[];
BEGIN
    -- The lock first: see 0006's header.
    UPDATE agenda_state SET version = version + 1 RETURNING version INTO v;
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT to_jsonb(n) FROM new_rows n);
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT to_jsonb(o) FROM old_rows o);
    ELSE
        -- A row written over with the values it had is no change.
        touched := ARRAY(
            SELECT * FROM (SELECT to_jsonb(o) FROM old_rows o
                           EXCEPT SELECT to_jsonb(n) FROM new_rows n) gone
            UNION ALL
            SELECT * FROM (SELECT to_jsonb(n) FROM new_rows n
                           EXCEPT SELECT to_jsonb(o) FROM old_rows o) came);
    END IF;
    IF cardinality(touched) > 0 THEN
        PERFORM agenda_follow(TG_TABLE_NAME, touched, v);
        UPDATE agenda_table_state SET version = v WHERE tbl = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION agenda_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    UPDATE agenda_state SET version = version + 1, horizon = version + 1
    RETURNING version INTO v;
    UPDATE agenda_table_state SET version = v WHERE tbl = TG_TABLE_NAME;
    RETURN NULL;
END $$;

-- Files applied, by content. `footprint`: the agenda tables the import read, and
-- `versions` their agenda_table_state versions when it committed; while they are all
-- the same, the same file (same digest, same prune) would change nothing. `report`: what
-- that second import would report, per kind and outcome, the ids. Only the newest rows
-- are kept (server/db/queries/imports.py).
CREATE TABLE import_log (
    digest       bytea NOT NULL,
    prune        boolean NOT NULL,
    footprint    text[] NOT NULL,
    versions     bigint[] NOT NULL CHECK (cardinality(versions) = cardinality(footprint)),
    source       text NOT NULL,
    file         text NOT NULL,
    report       jsonb NOT NULL,
    imported_at  timestamptz NOT NULL,
    PRIMARY KEY (digest, prune)
);
CREATE INDEX import_log_imported_at_idx ON import_log (imported_at);
