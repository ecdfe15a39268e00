-- B2B meetings (rencontres B2B): business profiles, the fair's meeting plan (days,
-- slot length, numbered tables in the B2B area), meetings between two profiles in one
-- slot, and the leads exhibitors' staff capture at their stands.
--
-- The database itself refuses double bookings: two live meetings of one profile, or
-- two accepted meetings on one table, never overlap (exclusion constraints on time
-- ranges), however many requests and accepts race.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The plan: one row. Meetings last one slot; slots start at each day's opening.
CREATE TABLE meeting_plan (
    id                smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    slot_minutes      int NOT NULL DEFAULT 30 CHECK (slot_minutes BETWEEN 10 AND 120),
    -- Requests one profile may have waiting for an answer, per day of meetings.
    requests_per_day  int NOT NULL DEFAULT 20 CHECK (requests_per_day BETWEEN 1 AND 200)
);
INSERT INTO meeting_plan DEFAULT VALUES;

-- The days meetings run, and their hours (instants: the fair's wall clock, read in its
-- zone by server/clock.py).
CREATE TABLE meeting_day (
    day        date PRIMARY KEY,
    opens_at   timestamptz NOT NULL,
    closes_at  timestamptz NOT NULL,
    CHECK (opens_at < closes_at AND closes_at - opens_at <= interval '24 hours')
);

CREATE TABLE meeting_table (
    id        text PRIMARY KEY,
    number    int NOT NULL UNIQUE CHECK (number > 0),
    hall_id   text REFERENCES hall (id) ON DELETE SET NULL,
    x         double precision NOT NULL,
    y         double precision NOT NULL
);

CREATE TABLE business_profile (
    id                bigserial PRIMARY KEY,
    person_id         bigint NOT NULL UNIQUE REFERENCES person (id) ON DELETE CASCADE,
    -- An exhibitor's staff speak for their stand.
    exhibitor_id      text REFERENCES exhibitor (id) ON DELETE SET NULL,
    company           text NOT NULL,
    -- The company as matching compares it (folded): nobody is matched with their own.
    company_key       text NOT NULL,
    country           text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    sectors           text[] NOT NULL DEFAULT '{}',
    offers            text[] NOT NULL DEFAULT '{}',
    needs             text[] NOT NULL DEFAULT '{}',
    -- The capabilities of the vocabulary those name (server/domain/meetings).
    offer_terms       text[] NOT NULL DEFAULT '{}',
    need_terms        text[] NOT NULL DEFAULT '{}',
    summary           text,
    open_to_meetings  boolean NOT NULL DEFAULT true,
    search_vector     tsvector,
    search_text       text,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX business_profile_offer_terms_idx ON business_profile USING gin (offer_terms);
CREATE INDEX business_profile_need_terms_idx ON business_profile USING gin (need_terms);
CREATE INDEX business_profile_sectors_idx ON business_profile USING gin (sectors);
CREATE INDEX business_profile_search_idx ON business_profile USING gin (search_vector);
CREATE INDEX business_profile_search_text_idx
    ON business_profile USING gin (search_text gin_trgm_ops);

-- Searched as the directory is (0001's exhibitor_search_document): company first, then
-- what it offers and needs, then the rest.
CREATE FUNCTION business_profile_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    capabilities text := array_to_string(NEW.offers || NEW.needs, ' ');
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', salon_fold(NEW.company)), 'A')
        || setweight(to_tsvector('french', salon_fold(capabilities)), 'B')
        || setweight(to_tsvector('english', salon_fold(capabilities)), 'B')
        || setweight(to_tsvector('french', salon_fold(coalesce(NEW.summary, ''))), 'C');
    NEW.search_text := salon_fold(NEW.company || ' ' || capabilities || ' '
                                  || coalesce(NEW.summary, ''));
    RETURN NEW;
END $$;

CREATE TRIGGER business_profile_search_trigger
    BEFORE INSERT OR UPDATE ON business_profile
    FOR EACH ROW EXECUTE FUNCTION business_profile_search_document();

CREATE TABLE meeting (
    id            bigserial PRIMARY KEY,
    requester_id  bigint NOT NULL REFERENCES business_profile (id) ON DELETE CASCADE,
    invitee_id    bigint NOT NULL REFERENCES business_profile (id) ON DELETE CASCADE,
    during        tstzrange NOT NULL
                  CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)),
    status        text NOT NULL DEFAULT 'REQUESTED'
                  CHECK (status IN ('REQUESTED', 'ACCEPTED', 'DECLINED', 'CANCELLED')),
    -- The table of an accepted meeting (kept after a cancellation, for the desk).
    table_id      text REFERENCES meeting_table (id),
    outcome       text CHECK (outcome IN ('HAPPENED', 'NO_SHOW')),
    message       text,
    -- Why it was declined or cancelled, as the one who did it said.
    reason        text,
    -- Grows at every change: the calendar feeds' SEQUENCE.
    version       int NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CHECK (requester_id <> invitee_id),
    CHECK (status <> 'ACCEPTED' OR table_id IS NOT NULL),
    CHECK (outcome IS NULL OR status = 'ACCEPTED'),
    CONSTRAINT meeting_table_free
        EXCLUDE USING gist (table_id WITH =, during WITH &&) WHERE (status = 'ACCEPTED')
);
CREATE INDEX meeting_requester_idx ON meeting (requester_id, lower(during));
CREATE INDEX meeting_invitee_idx ON meeting (invitee_id, lower(during));
CREATE INDEX meeting_during_idx ON meeting USING gist (during);

-- Each side of a live (requested or accepted) meeting, kept by the trigger below: one
-- profile is never in two live meetings at once. A request already holds the slot.
CREATE TABLE meeting_side (
    meeting_id  bigint NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    profile_id  bigint NOT NULL REFERENCES business_profile (id) ON DELETE CASCADE,
    during      tstzrange NOT NULL,
    PRIMARY KEY (meeting_id, profile_id),
    CONSTRAINT meeting_side_free EXCLUDE USING gist (profile_id WITH =, during WITH &&)
);

CREATE FUNCTION meeting_sides() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('REQUESTED', 'ACCEPTED') THEN
        IF TG_OP = 'UPDATE' AND OLD.during IS DISTINCT FROM NEW.during THEN
            DELETE FROM meeting_side WHERE meeting_id = NEW.id;
        END IF;
        INSERT INTO meeting_side (meeting_id, profile_id, during)
        VALUES (NEW.id, NEW.requester_id, NEW.during), (NEW.id, NEW.invitee_id, NEW.during)
        ON CONFLICT (meeting_id, profile_id) DO NOTHING;
    ELSE
        DELETE FROM meeting_side WHERE meeting_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER meeting_sides AFTER INSERT OR UPDATE OF status, during ON meeting
    FOR EACH ROW EXECUTE FUNCTION meeting_sides();

-- What `me` shows changes with one's profile and meetings (0004's plan version).
CREATE FUNCTION meeting_bumps_plan_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE person p SET plan_version = p.plan_version + 1
      FROM business_profile b
     WHERE b.person_id = p.id
       AND b.id IN (NEW.requester_id, NEW.invitee_id);
    RETURN NULL;
END $$;
CREATE TRIGGER meeting_bumps_plan_versions AFTER INSERT OR UPDATE ON meeting
    FOR EACH ROW EXECUTE FUNCTION meeting_bumps_plan_versions();
CREATE TRIGGER business_profile_bumps_plan_version
    AFTER INSERT OR UPDATE OR DELETE ON business_profile
    FOR EACH ROW EXECUTE FUNCTION bump_plan_version();

-- The notice log learns meetings.
ALTER TABLE notice DROP CONSTRAINT notice_kind_check;
ALTER TABLE notice ADD CONSTRAINT notice_kind_check CHECK (kind IN ('ANNOUNCEMENT',
    'SESSION_CHANGED', 'SESSION_CANCELLED', 'DEMO_STARTING', 'DEMO_SCHEDULED', 'REMINDER',
    'WAITLIST_PROMOTED', 'MEETING_REQUESTED', 'MEETING_ACCEPTED', 'MEETING_DECLINED',
    'MEETING_CANCELLED', 'MEETING_REMINDER'));
ALTER TABLE notice ADD COLUMN meeting_id bigint REFERENCES meeting (id) ON DELETE SET NULL;

-- Who was reminded of which meeting (the reminders worker's, as reminder_sent).
CREATE TABLE meeting_reminder_sent (
    meeting_id  bigint NOT NULL REFERENCES meeting (id) ON DELETE CASCADE,
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    notice_id   bigint NOT NULL REFERENCES notice (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, person_id)
);

-- A badge an exhibitor's staff scanned at the stand: the attendee showed it, which is
-- their consent. Scanned again: the same lead, its note replaced.
CREATE TABLE lead (
    id            bigserial PRIMARY KEY,
    exhibitor_id  text NOT NULL REFERENCES exhibitor (id) ON DELETE CASCADE,
    person_id     bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    captured_by   bigint REFERENCES person (id) ON DELETE SET NULL,
    note          text,
    captured_at   timestamptz NOT NULL,
    UNIQUE (exhibitor_id, person_id)
);
CREATE INDEX lead_person_idx ON lead (person_id);
CREATE TRIGGER lead_bumps_plan_version AFTER INSERT OR UPDATE OR DELETE ON lead
    FOR EACH ROW EXECUTE FUNCTION bump_plan_version();
