-- One row per decision: where its case stands now (the automated outcome, any human decision,
-- who holds it, what awaits a second manager). A projection of the audit trail, written in the
-- same transaction as each audit record, so that lists and queues are indexed queries. The
-- audit trail stays the record of what happened.
CREATE TABLE cases (
    decision_id          TEXT    PRIMARY KEY NOT NULL,
    world                TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    siren                TEXT    NOT NULL,
    company_name         TEXT,
    product              TEXT    NOT NULL,
    amount_cents         BIGINT  NOT NULL,
    automated_outcome    TEXT    NOT NULL CHECK (automated_outcome IN ('approve', 'refer', 'decline')),
    -- decided (automated and final), in_review, awaiting_confirmation, resolved (by a person)
    status               TEXT    NOT NULL
        CHECK (status IN ('decided', 'in_review', 'awaiting_confirmation', 'resolved')),
    -- The outcome in force: the automated one, or the human decision (approve, decline,
    -- counter_offer); NULL while in review.
    final_outcome        TEXT,
    final_limit_cents    BIGINT,
    referrals            TEXT    NOT NULL,
    score                BIGINT  NOT NULL,
    grade                TEXT    NOT NULL,
    probability_of_default DOUBLE PRECISION NOT NULL,
    proposed_limit_cents BIGINT  NOT NULL,
    coverage             BIGINT  NOT NULL,
    fraud                BIGINT  NOT NULL,
    decided_at_ms        BIGINT  NOT NULL,
    updated_at_ms        BIGINT  NOT NULL,
    latency_ms           BIGINT  NOT NULL,
    submitted_by         BIGINT,
    api_key_id           TEXT,
    external_reference   TEXT,
    claimed_by           BIGINT,
    claimed_by_name      TEXT,
    claimed_at_ms        BIGINT,
    -- The proposed human decision awaiting a second manager (JSON), with its author.
    pending_action       TEXT,
    pending_by           BIGINT,
    overridden           BIGINT  NOT NULL DEFAULT 0,
    events               BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX cases_queue ON cases (world, status, decided_at_ms);
CREATE INDEX cases_by_siren ON cases (siren, decided_at_ms);
CREATE INDEX cases_by_submitter ON cases (submitted_by, decided_at_ms);
CREATE INDEX cases_by_date ON cases (world, decided_at_ms);
