-- The fair's read side: event, venue, exhibitors, speakers, sessions.
-- Ids are stable text slugs from the demo data files, so reloading is idempotent.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (it reads a dictionary); pinning the dictionary makes
-- it safe to mark IMMUTABLE, which generated columns and indexes require.
CREATE FUNCTION salon_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));

CREATE TABLE event (
    id          text PRIMARY KEY,
    name_fr     text NOT NULL,
    name_en     text,
    edition     integer,
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    timezone    text NOT NULL,
    venue_name  text NOT NULL,
    city        text NOT NULL,
    address     text,
    CHECK (ends_on >= starts_on)
);

CREATE TABLE sector (
    id       text PRIMARY KEY,
    name_fr  text NOT NULL,
    name_en  text
);

CREATE TABLE track (
    id        text PRIMARY KEY,
    name_fr   text NOT NULL,
    name_en   text,
    color     text,
    position  integer NOT NULL DEFAULT 0
);

CREATE TABLE hall (
    id       text PRIMARY KEY,
    name     text NOT NULL,
    level    integer NOT NULL DEFAULT 0,
    outline  jsonb NOT NULL            -- GeoJSON Polygon
);

CREATE TABLE room (
    id        text PRIMARY KEY,
    name      text NOT NULL,
    hall_id   text REFERENCES hall (id),
    capacity  integer CHECK (capacity > 0),
    outline   jsonb,                   -- GeoJSON Polygon
    x         double precision,
    y         double precision
);
CREATE INDEX room_hall_idx ON room (hall_id);

CREATE TABLE exhibitor (
    id              text PRIMARY KEY,
    name            text NOT NULL,
    country         char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    sectors         text[] NOT NULL DEFAULT '{}',
    description_fr  text,
    description_en  text,
    website         text,
    -- Maintained by exhibitor_search_trigger: sector labels live in another table.
    search_vector   tsvector NOT NULL DEFAULT ''::tsvector,
    search_text     text NOT NULL DEFAULT ''
);
CREATE INDEX exhibitor_sectors_idx ON exhibitor USING gin (sectors);
CREATE INDEX exhibitor_country_idx ON exhibitor (country);
CREATE INDEX exhibitor_name_idx ON exhibitor (name, id);
CREATE INDEX exhibitor_search_vector_idx ON exhibitor USING gin (search_vector);
CREATE INDEX exhibitor_search_text_idx ON exhibitor USING gin (search_text gin_trgm_ops);

CREATE FUNCTION exhibitor_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    labels text;
BEGIN
    SELECT string_agg(s.name_fr || ' ' || coalesce(s.name_en, ''), ' ')
      INTO labels
      FROM sector s WHERE s.id = ANY (NEW.sectors);
    NEW.search_vector :=
        setweight(to_tsvector('simple', salon_fold(NEW.name)), 'A')
        || setweight(to_tsvector('french', salon_fold(coalesce(labels, ''))), 'B')
        || setweight(to_tsvector('french', salon_fold(coalesce(NEW.description_fr, ''))), 'C')
        || setweight(to_tsvector('english', salon_fold(coalesce(NEW.description_en, ''))), 'C');
    NEW.search_text := salon_fold(
        NEW.name || ' ' || coalesce(labels, '') || ' ' || coalesce(NEW.description_fr, '')
        || ' ' || coalesce(NEW.description_en, ''));
    RETURN NEW;
END $$;

CREATE TRIGGER exhibitor_search_trigger
    BEFORE INSERT OR UPDATE ON exhibitor
    FOR EACH ROW EXECUTE FUNCTION exhibitor_search_document();

CREATE TABLE booth (
    id            text PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    hall_id       text NOT NULL REFERENCES hall (id),
    exhibitor_id  text REFERENCES exhibitor (id),
    outline       jsonb NOT NULL,      -- GeoJSON Polygon
    x             double precision NOT NULL,
    y             double precision NOT NULL
);
CREATE INDEX booth_hall_idx ON booth (hall_id);
CREATE INDEX booth_exhibitor_idx ON booth (exhibitor_id);
CREATE INDEX booth_code_fold_idx ON booth (upper(code));

CREATE TABLE poi (
    id       text PRIMARY KEY,
    kind     text NOT NULL CHECK (kind IN ('ENTRANCE', 'INFO_DESK', 'FOOD', 'TOILETS',
                 'PRAYER_ROOM', 'FIRST_AID', 'SAFETY_ZONE', 'STARTUP_ZONE', 'B2B_AREA',
                 'PARKING', 'OTHER')),
    name_fr  text NOT NULL,
    name_en  text,
    hall_id  text REFERENCES hall (id),
    x        double precision NOT NULL,
    y        double precision NOT NULL
);

-- Walkway graph: corridor waypoints; booths, rooms and POIs are nodes too (by id).
CREATE TABLE walkway_node (
    id       text PRIMARY KEY,
    hall_id  text REFERENCES hall (id),
    x        double precision NOT NULL,
    y        double precision NOT NULL
);

CREATE TABLE walkway_edge (
    a       text NOT NULL,
    b       text NOT NULL,
    length  double precision CHECK (length >= 0),  -- NULL: Euclidean
    PRIMARY KEY (a, b)
);

CREATE TABLE speaker (
    id            text PRIMARY KEY,
    name          text NOT NULL,
    organisation  text,
    job_title     text,
    bio_fr        text,
    bio_en        text,
    search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', salon_fold(name)), 'A')
        || setweight(to_tsvector('simple', salon_fold(coalesce(organisation, ''))), 'B')
        || setweight(to_tsvector('french', salon_fold(coalesce(job_title, ''))), 'C')
        || setweight(to_tsvector('french', salon_fold(coalesce(bio_fr, ''))), 'D')
        || setweight(to_tsvector('english', salon_fold(coalesce(bio_en, ''))), 'D')
    ) STORED,
    search_text   text GENERATED ALWAYS AS (
        salon_fold(name || ' ' || coalesce(organisation, '') || ' ' || coalesce(job_title, ''))
    ) STORED
);
CREATE INDEX speaker_name_idx ON speaker (name, id);
CREATE INDEX speaker_search_vector_idx ON speaker USING gin (search_vector);
CREATE INDEX speaker_search_text_idx ON speaker USING gin (search_text gin_trgm_ops);

CREATE TABLE session (
    id            text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('KEYNOTE', 'CONFERENCE', 'PANEL', 'WORKSHOP',
                      'DEMO', 'B2B', 'CEREMONY', 'OTHER')),
    track_id      text REFERENCES track (id),
    title_fr      text NOT NULL,
    title_en      text,
    abstract_fr   text,
    abstract_en   text,
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    room_id       text REFERENCES room (id),
    booth_id      text REFERENCES booth (id),
    exhibitor_id  text REFERENCES exhibitor (id),
    capacity      integer CHECK (capacity > 0),
    status        text NOT NULL DEFAULT 'SCHEDULED'
                      CHECK (status IN ('SCHEDULED', 'CHANGED', 'CANCELLED')),
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('french', salon_fold(title_fr)), 'A')
        || setweight(to_tsvector('english', salon_fold(coalesce(title_en, ''))), 'A')
        || setweight(to_tsvector('french', salon_fold(coalesce(abstract_fr, ''))), 'C')
        || setweight(to_tsvector('english', salon_fold(coalesce(abstract_en, ''))), 'C')
    ) STORED,
    search_text   text GENERATED ALWAYS AS (
        salon_fold(title_fr || ' ' || coalesce(title_en, ''))
    ) STORED,
    CHECK (ends_at > starts_at)
);
CREATE INDEX session_starts_idx ON session (starts_at, id);
CREATE INDEX session_room_idx ON session (room_id, starts_at);
CREATE INDEX session_exhibitor_idx ON session (exhibitor_id, starts_at);
CREATE INDEX session_search_vector_idx ON session USING gin (search_vector);
CREATE INDEX session_search_text_idx ON session USING gin (search_text gin_trgm_ops);

CREATE TABLE session_speaker (
    session_id  text NOT NULL REFERENCES session (id) ON DELETE CASCADE,
    speaker_id  text NOT NULL REFERENCES speaker (id) ON DELETE CASCADE,
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, speaker_id)
);
CREATE INDEX session_speaker_speaker_idx ON session_speaker (speaker_id);

-- One counter for "the agenda as anyone can read it". Every write to a public
-- agenda table bumps it, whatever the writer (app, `salon demo`, psql), so a
-- response cached under an older version can never be served again.
CREATE TABLE agenda_state (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    bigint NOT NULL
);
INSERT INTO agenda_state VALUES (true, 1);

CREATE FUNCTION bump_agenda_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE agenda_state SET version = version + 1;
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
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION bump_agenda_version()',
                       t || '_bumps_agenda_version', t);
    END LOOP;
END $$;
