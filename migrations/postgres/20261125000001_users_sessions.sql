-- People who sign in to the web application.
CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        TEXT    NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 2 AND 64),
    display_name    TEXT    NOT NULL CHECK (length(display_name) BETWEEN 1 AND 128),
    role            TEXT    NOT NULL CHECK (role IN ('sales_rep', 'credit_manager', 'auditor', 'admin')),
    password_hash   TEXT    NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    is_demo         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms   BIGINT  NOT NULL,
    last_sign_in_ms BIGINT
);

-- Failed sign-ins, for throttling per account and per network address.
CREATE TABLE sign_in_failures (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username  TEXT   NOT NULL,
    address   TEXT   NOT NULL,
    failed_ms BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username, failed_ms);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, failed_ms);

-- Web sessions, in the layout tower-sessions-sqlx-store's PostgresStore reads and writes.
CREATE TABLE tower_sessions (
    id          TEXT        PRIMARY KEY NOT NULL,
    data        BYTEA       NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX tower_sessions_by_expiry ON tower_sessions (expiry_date);
