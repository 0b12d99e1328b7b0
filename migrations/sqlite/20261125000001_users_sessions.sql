-- People who sign in to the web application.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT    NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 2 AND 64),
    display_name    TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 128),
    role            TEXT    NOT NULL CHECK (role IN ('sales_rep', 'credit_manager', 'auditor', 'admin')),
    password_hash   TEXT    NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    is_demo         INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at_ms   INTEGER NOT NULL,
    last_sign_in_ms INTEGER
);

-- Failed sign-ins, for throttling per account and per network address.
CREATE TABLE sign_in_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    username  TEXT    NOT NULL,
    address   TEXT    NOT NULL,
    failed_ms INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username, failed_ms);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, failed_ms);

-- Web sessions, in the layout tower-sessions-sqlx-store reads and writes: MessagePack data,
-- expiry as an RFC 3339 UTC timestamp (text, so it compares in time order).
CREATE TABLE tower_sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date TEXT NOT NULL
);
CREATE INDEX tower_sessions_by_expiry ON tower_sessions (expiry_date);
