-- People, roles, passwordless sign-in, bearer tokens, and personal plans.

CREATE TABLE person (
    id              bigserial PRIMARY KEY,
    email           text UNIQUE CHECK (email = lower(email)),
    name            text,
    badge_code      text UNIQUE,
    speaker_id      text REFERENCES speaker (id) ON DELETE SET NULL,
    exhibitor_id    text REFERENCES exhibitor (id) ON DELETE SET NULL,
    -- Capability in the calendar feed URL; replacing it revokes the old URL.
    calendar_token  text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE person_role (
    person_id  bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('ATTENDEE', 'SPEAKER', 'EXHIBITOR', 'ORGANISER')),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE sign_in_code (
    id          bigserial PRIMARY KEY,
    email       text NOT NULL,
    code_hash   bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX sign_in_code_email_idx ON sign_in_code (email, expires_at);

-- Bearer tokens, stored only as SHA-256 hashes.
CREATE TABLE auth_token (
    token_hash  bytea PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX auth_token_person_idx ON auth_token (person_id);

CREATE TABLE bookmark (
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    session_id  text NOT NULL REFERENCES session (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, session_id)
);
CREATE INDEX bookmark_session_idx ON bookmark (session_id);

-- One row per person and session. `id` orders the waitlist: first come, first served.
CREATE TABLE registration (
    id          bigserial PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    session_id  text NOT NULL REFERENCES session (id) ON DELETE CASCADE,
    status      text NOT NULL CHECK (status IN ('REGISTERED', 'WAITLISTED')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (person_id, session_id)
);
CREATE INDEX registration_session_idx ON registration (session_id, status, id);

CREATE TABLE follow (
    person_id     bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    exhibitor_id  text NOT NULL REFERENCES exhibitor (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, exhibitor_id)
);
CREATE INDEX follow_exhibitor_idx ON follow (exhibitor_id);
