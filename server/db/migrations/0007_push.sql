-- Web Push (RFC 8030/8291/8292): the server's VAPID key, the devices people
-- subscribed, and each notice's pushes, planned once per device and then sent.

-- One key pair per deployment, made at first start (never in git).
CREATE TABLE push_key (
    id           smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    private_pem  text NOT NULL,
    public_key   text NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE TABLE push_subscription (
    id          bigserial PRIMARY KEY,
    person_id   bigint NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    -- A device's address at its push service; a device that changes hands moves with it.
    endpoint    text NOT NULL UNIQUE,
    p256dh      text NOT NULL,
    auth        text NOT NULL,
    lang        text NOT NULL CHECK (lang IN ('FR', 'EN')),
    expires_at  timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX push_subscription_person_idx ON push_subscription (person_id);

-- What was pushed per notice and device: the primary key makes planning idempotent,
-- and a restarted worker sends only what is still PENDING.
CREATE TABLE push_delivery (
    notice_id        bigint NOT NULL REFERENCES notice (id) ON DELETE CASCADE,
    subscription_id  bigint NOT NULL REFERENCES push_subscription (id) ON DELETE CASCADE,
    -- SKIPPED: the person had a live socket, which showed the notice already;
    -- EXPIRED: by the time it could go, the change no longer mattered.
    state            text NOT NULL CHECK (state IN ('PENDING', 'SENT', 'FAILED', 'SKIPPED', 'EXPIRED')),
    attempts         int NOT NULL DEFAULT 0,
    -- When to (re)try; a claim moves it forward by a lease, so a crashed sender's
    -- claims come back.
    due_at           timestamptz NOT NULL,
    last_status      int,
    sent_at          timestamptz,
    PRIMARY KEY (notice_id, subscription_id)
);
CREATE INDEX push_delivery_due_idx ON push_delivery (due_at) WHERE state = 'PENDING';
CREATE INDEX push_delivery_subscription_idx ON push_delivery (subscription_id);

-- Set once a notice's pushes are planned. Notices published before this migration are
-- history: nobody is buzzed for them.
ALTER TABLE notice ADD COLUMN push_planned_at timestamptz;
UPDATE notice SET push_planned_at = published_at WHERE published_at IS NOT NULL;
CREATE INDEX notice_push_unplanned_idx ON notice (seq)
    WHERE published_at IS NOT NULL AND push_planned_at IS NULL;
