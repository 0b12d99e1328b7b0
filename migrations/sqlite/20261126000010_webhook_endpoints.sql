-- Where lenders' systems receive webhooks. The signing secret is kept (it is the HMAC key every
-- delivery is signed with) and shown to the admin once, when the endpoint is created.
CREATE TABLE webhook_endpoints (
    id            TEXT    PRIMARY KEY NOT NULL,
    world         TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    url           TEXT    NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    -- Subscribed event types, comma-separated.
    event_types   TEXT    NOT NULL,
    secret        TEXT    NOT NULL,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
