-- Webhook delivery. An event is written here, one row per subscribed endpoint, in the same
-- transaction as the change that caused it; the dispatcher delivers the rows that are due and
-- records every attempt. A row is pending, delivered (a 2xx answer) or dead (no 2xx after the
-- last attempt of the retry schedule).
CREATE TABLE webhook_messages (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The `webhook-id` header: the same for every endpoint and every attempt of one event.
    event_id        TEXT    NOT NULL,
    endpoint_id     TEXT    NOT NULL REFERENCES webhook_endpoints (id),
    event_type      TEXT    NOT NULL,
    -- The body as sent: {"type", "timestamp", "data"}.
    body            TEXT    NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    -- A dispatcher that took the row holds it until then; after a crash it is taken again.
    lease_until_ms  INTEGER NOT NULL DEFAULT 0,
    last_attempt_ms INTEGER,
    last_status     INTEGER,
    UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_messages_due ON webhook_messages (status, next_attempt_ms);
CREATE INDEX webhook_messages_by_endpoint ON webhook_messages (endpoint_id, seq);

CREATE TABLE webhook_attempts (
    message_seq INTEGER NOT NULL REFERENCES webhook_messages (seq),
    attempt     INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    -- NULL when the receiver did not answer (refused, timed out).
    status      INTEGER,
    latency_ms  INTEGER NOT NULL,
    excerpt     TEXT    NOT NULL,
    PRIMARY KEY (message_seq, attempt)
);

-- Failing endpoints: since when every attempt has failed, and why an endpoint was disabled by
-- the dispatcher (NULL when an admin disabled it or it is enabled).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since_ms INTEGER;
ALTER TABLE webhook_endpoints ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_reason TEXT;

-- Companies under monitoring: every grant (automated approval, or a person's approval or
-- counter-offer) enrols its company, in the same transaction. The scheduler re-decides those
-- that are due and compares with the grant.
CREATE TABLE monitored_companies (
    world               TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    siren               TEXT    NOT NULL,
    -- The decision the grant rests on, and what was granted.
    decision_id         TEXT    NOT NULL,
    granted_limit_cents INTEGER NOT NULL,
    enrolled_at_ms      INTEGER NOT NULL,
    next_check_ms       INTEGER NOT NULL,
    lease_until_ms      INTEGER NOT NULL DEFAULT 0,
    last_checked_ms     INTEGER,
    -- unchanged, risk_changed or source_failed
    last_result         TEXT,
    -- The last monitoring decision.
    last_decision_id    TEXT,
    PRIMARY KEY (world, siren)
);
CREATE INDEX monitored_due ON monitored_companies (next_check_ms);

-- Sandbox only: what an admin made happen to a test company, from a moment on.
CREATE TABLE sandbox_conditions (
    siren     TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('proceeding', 'negative_balance')),
    since_ms  INTEGER NOT NULL,
    PRIMARY KEY (siren, kind)
);
