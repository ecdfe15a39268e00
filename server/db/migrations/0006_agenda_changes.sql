-- What changed in the public agenda, row by row, so that a phone's offline copy is
-- patched instead of downloaded again (`agendaChanges`).
--
-- Ordering: a client that read version V must never miss a change that commits
-- later but is stamped <= V. Every stamp below is taken by the statement trigger of
-- the write, right after it bumped agenda_state.version, so while its transaction
-- holds that row's lock, which it keeps until it commits. Another writer cannot
-- bump, hence cannot stamp, until then; and a reader that sees version V sees every
-- transaction that stamped <= V already committed (one that has not committed yet
-- still holds the lock, and stamps above the V anyone can read).

ALTER TABLE agenda_state
    -- Names this database in every version handed out (with the database's oid, so a
    -- clone or a restored dump is another database): a version from another database,
    -- or from before a reset, is unknown here.
    ADD COLUMN origin text NOT NULL DEFAULT substr(md5(gen_random_uuid()::text), 1, 12),
    -- A version below it may have lost changes (tombstones pruned, a TRUNCATE): a
    -- client that old gets a complete copy.
    ADD COLUMN horizon bigint NOT NULL DEFAULT 0;
ALTER TABLE agenda_state ALTER COLUMN origin DROP DEFAULT;
-- Nothing was recorded before this migration.
UPDATE agenda_state SET horizon = version;

-- One row per session, exhibitor or speaker that ever changed, stamped with the
-- version that last changed it; `removed`: a tombstone. 'venue' (the floor map) and
-- 'event' (the event and its tracks) are one row each, id ''.
CREATE TABLE agenda_change (
    kind        text NOT NULL CHECK (kind IN ('session', 'exhibitor', 'speaker', 'venue',
                    'event')),
    id          text NOT NULL,
    version     bigint NOT NULL,
    removed     boolean NOT NULL DEFAULT false,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);
CREATE INDEX agenda_change_version_idx ON agenda_change (version);
CREATE INDEX agenda_change_tombstone_idx ON agenda_change (changed_at) WHERE removed;

-- Stamps rows of `of_kind` (the table of that name) as changed at `at_version`; an id
-- whose row is gone becomes a tombstone.
CREATE FUNCTION agenda_mark(of_kind text, changed_ids text[], at_version bigint)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    present text[];
BEGIN
    changed_ids := ARRAY(SELECT DISTINCT i FROM unnest(changed_ids) i WHERE i IS NOT NULL);
    IF cardinality(changed_ids) = 0 THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT coalesce(array_agg(id), ''{}'') FROM %I WHERE id = ANY ($1)', of_kind)
        INTO present USING changed_ids;
    INSERT INTO agenda_change AS c (kind, id, version, removed, changed_at)
    SELECT of_kind, i, at_version, NOT (i = ANY (present)), now() FROM unnest(changed_ids) i
    ON CONFLICT (kind, id) DO UPDATE
        SET version = EXCLUDED.version, removed = EXCLUDED.removed,
            changed_at = EXCLUDED.changed_at;
END $$;

CREATE FUNCTION agenda_mark_whole(of_kind text, at_version bigint)
    RETURNS void LANGUAGE sql AS $$
    INSERT INTO agenda_change (kind, id, version) VALUES (of_kind, '', at_version)
    ON CONFLICT (kind, id) DO UPDATE SET version = EXCLUDED.version, changed_at = now();
$$;

-- Which sessions, exhibitors and speakers a change of `tbl` rows shows in: their own
-- fields, and those of what they link to directly (a session's track, room and its
-- hall, booth and its hall, exhibitor, speakers; an exhibitor's booths and demos; a
-- speaker's sessions). `touched`: the before and after images of the changed rows.
CREATE FUNCTION agenda_follow(tbl text, touched jsonb[], v bigint)
    RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ids text[] := ARRAY(SELECT r ->> 'id' FROM unnest(touched) r);
BEGIN
    CASE tbl
    WHEN 'session' THEN
        PERFORM agenda_mark('session', ids, v);
        PERFORM agenda_mark('exhibitor', ARRAY(
            SELECT r ->> 'exhibitor_id' FROM unnest(touched) r WHERE r ->> 'kind' = 'DEMO'), v);
        PERFORM agenda_mark('speaker', ARRAY(
            SELECT speaker_id FROM session_speaker WHERE session_id = ANY (ids)), v);
    WHEN 'session_speaker' THEN
        PERFORM agenda_mark('session', ARRAY(SELECT r ->> 'session_id' FROM unnest(touched) r), v);
        PERFORM agenda_mark('speaker', ARRAY(SELECT r ->> 'speaker_id' FROM unnest(touched) r), v);
    WHEN 'speaker' THEN
        PERFORM agenda_mark('speaker', ids, v);
        PERFORM agenda_mark('session', ARRAY(
            SELECT session_id FROM session_speaker WHERE speaker_id = ANY (ids)), v);
    WHEN 'exhibitor' THEN
        PERFORM agenda_mark('exhibitor', ids, v);
        PERFORM agenda_mark('session', ARRAY(SELECT id FROM session WHERE exhibitor_id = ANY (ids)), v);
    WHEN 'booth' THEN
        PERFORM agenda_mark_whole('venue', v);
        PERFORM agenda_mark('exhibitor', ARRAY(
            SELECT r ->> 'exhibitor_id' FROM unnest(touched) r), v);
        PERFORM agenda_mark('session', ARRAY(SELECT id FROM session WHERE booth_id = ANY (ids)), v);
    WHEN 'room' THEN
        PERFORM agenda_mark_whole('venue', v);
        PERFORM agenda_mark('session', ARRAY(SELECT id FROM session WHERE room_id = ANY (ids)), v);
    WHEN 'hall' THEN
        PERFORM agenda_mark_whole('venue', v);
        PERFORM agenda_mark('session', ARRAY(
            SELECT s.id FROM session s JOIN room r ON r.id = s.room_id WHERE r.hall_id = ANY (ids)
            UNION
            SELECT s.id FROM session s JOIN booth b ON b.id = s.booth_id
             WHERE b.hall_id = ANY (ids)), v);
        PERFORM agenda_mark('exhibitor', ARRAY(
            SELECT exhibitor_id FROM booth WHERE hall_id = ANY (ids)), v);
    WHEN 'track' THEN
        PERFORM agenda_mark_whole('event', v);
        PERFORM agenda_mark('session', ARRAY(SELECT id FROM session WHERE track_id = ANY (ids)), v);
    WHEN 'sector' THEN
        PERFORM agenda_mark('exhibitor', ARRAY(SELECT id FROM exhibitor WHERE sectors && ids), v);
    WHEN 'event' THEN
        PERFORM agenda_mark_whole('event', v);
    ELSE  -- poi, walkway_node, walkway_edge: the map only
        PERFORM agenda_mark_whole('venue', v);
    END CASE;
END $$;

-- Bumps the version (every statement, as before: the response cache keys on it), then
-- stamps what the statement changed.
CREATE FUNCTION agenda_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
    touched jsonb[];
BEGIN
    -- The lock first: see the header.
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
    END IF;
    RETURN NULL;
END $$;

-- TRUNCATE has no rows to follow: every copy older than it is replaced whole.
CREATE FUNCTION agenda_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE agenda_state SET version = version + 1, horizon = version + 1;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['event', 'sector', 'track', 'hall', 'room', 'exhibitor', 'booth',
                             'poi', 'walkway_node', 'walkway_edge', 'speaker', 'session',
                             'session_speaker']
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_bumps_agenda_version', t);
        -- A trigger with transition tables takes one event: three of them, one function.
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION agenda_rows_changed()',
                       t || '_agenda_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION agenda_rows_changed()',
                       t || '_agenda_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION agenda_rows_changed()',
                       t || '_agenda_delete', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION agenda_truncated()',
                       t || '_agenda_truncate', t);
    END LOOP;
END $$;
DROP FUNCTION bump_agenda_version();
