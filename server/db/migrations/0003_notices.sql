-- The notice log (DESIGN.md §1–5): every change an attendee should know about,
-- written in the same transaction as the change, sequenced later by the relay.

ALTER TABLE session ADD COLUMN cancellation_reason text;
CREATE SEQUENCE demo_number START 1001;

CREATE SEQUENCE notice_cursor;

CREATE TABLE notice (
    id            bigserial PRIMARY KEY,
    -- The public, ordered cursor. NULL until the relay sequences the notice.
    seq           bigint UNIQUE,
    kind          text NOT NULL CHECK (kind IN ('ANNOUNCEMENT', 'SESSION_CHANGED',
                      'SESSION_CANCELLED', 'DEMO_STARTING', 'DEMO_SCHEDULED', 'REMINDER',
                      'WAITLIST_PROMOTED')),
    priority      text NOT NULL DEFAULT 'NORMAL' CHECK (priority IN ('NORMAL', 'URGENT')),
    title_fr      text NOT NULL,
    title_en      text,
    body_fr       text NOT NULL,
    body_en       text,
    session_id    text REFERENCES session (id) ON DELETE SET NULL,
    exhibitor_id  text REFERENCES exhibitor (id) ON DELETE SET NULL,
    -- Audience: everyone, or these roles, or the people in notice_recipient.
    everyone      boolean NOT NULL DEFAULT false,
    roles         text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL,
    -- Held until then (scheduled announcements); equal to created_at otherwise.
    send_at       timestamptz NOT NULL,
    created_by    bigint REFERENCES person (id) ON DELETE SET NULL,
    sequenced_at  timestamptz,
    published_at  timestamptz,
    -- A scheduled announcement taken back before it was due.
    withdrawn_at  timestamptz,
    CHECK (seq IS NULL OR withdrawn_at IS NULL)
);
CREATE INDEX notice_due_idx ON notice (send_at, id) WHERE seq IS NULL AND withdrawn_at IS NULL;
CREATE INDEX notice_unpublished_idx ON notice (seq) WHERE seq IS NOT NULL AND published_at IS NULL;

CREATE TABLE notice_recipient (
    notice_id  bigint NOT NULL REFERENCES notice (id) ON DELETE CASCADE,
    person_id  bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    PRIMARY KEY (person_id, notice_id)
);
CREATE INDEX notice_recipient_notice_idx ON notice_recipient (notice_id);

-- Who was already reminded of what: makes the reminder jobs idempotent, even with
-- two workers (the primary key lets exactly one of them insert a row).
CREATE TABLE reminder_sent (
    kind        text NOT NULL,
    session_id  text NOT NULL REFERENCES session (id) ON DELETE CASCADE,
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    notice_id   bigint NOT NULL REFERENCES notice (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, session_id, person_id)
);

CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor_id  bigint REFERENCES person (id) ON DELETE SET NULL,
    action    text NOT NULL,
    subject   text,
    details   jsonb NOT NULL DEFAULT '{}'
);

-- Wakes the relay at commit (NOTIFY is transactional); it also polls.
CREATE FUNCTION notice_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('salon_notice_written', '');
    RETURN NULL;
END $$;
CREATE TRIGGER notice_written AFTER INSERT ON notice
    FOR EACH STATEMENT EXECUTE FUNCTION notice_written();
