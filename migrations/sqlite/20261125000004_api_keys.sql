-- API keys of the lenders' systems. Only a SHA-256 of each key is kept; the key itself is shown
-- once, when it is created. Each key is bound to one world.
CREATE TABLE api_keys (
    id              TEXT    PRIMARY KEY NOT NULL,
    name            TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    mode            TEXT    NOT NULL CHECK (mode IN ('sandbox', 'live')),
    key_hash        TEXT    NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    display_prefix  TEXT    NOT NULL,
    created_at_ms   INTEGER  NOT NULL,
    revoked_at_ms   INTEGER
);
