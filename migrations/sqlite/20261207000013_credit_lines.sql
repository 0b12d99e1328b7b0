-- The credit-line ledger: one line per company and product in each world, with every change
-- to it. A grant opens or resets a line; monitoring raises it automatically under the policy;
-- a credit manager's decision on a review or on a proposed increase sets it. Each change is
-- written in the transaction of the audit record it comes from, conditional on the line's
-- version when made by monitoring.
CREATE TABLE credit_lines (
    world               TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    siren               TEXT    NOT NULL,
    product             TEXT    NOT NULL
        CHECK (product IN ('bnpl', 'factoring', 'credit_line_increase')),
    limit_cents         INTEGER NOT NULL,
    -- 1 for the first change, one more for each change after.
    version             INTEGER NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('active', 'closed')),
    -- The grant the line rests on: its limit (the base of the overall cap), decision and grade.
    granted_limit_cents INTEGER NOT NULL,
    grant_decision_id   TEXT    NOT NULL,
    grant_grade         TEXT    NOT NULL,
    -- The decision the current limit rests on.
    decision_id         TEXT    NOT NULL,
    opened_at_ms        INTEGER NOT NULL,
    changed_at_ms       INTEGER NOT NULL,
    last_increase_at_ms INTEGER,
    PRIMARY KEY (world, siren, product)
);

CREATE TABLE credit_line_changes (
    world                TEXT    NOT NULL,
    siren                TEXT    NOT NULL,
    product              TEXT    NOT NULL,
    version              INTEGER NOT NULL,
    change               TEXT    NOT NULL
        CHECK (change IN ('granted', 'increased', 'reduced', 'closed')),
    previous_limit_cents INTEGER,
    limit_cents          INTEGER NOT NULL,
    -- engine (an automated grant), monitoring (an automatic increase) or person.
    by_kind              TEXT    NOT NULL CHECK (by_kind IN ('engine', 'monitoring', 'person')),
    by_user_id           INTEGER,
    by_name              TEXT,
    -- The decision the change comes from, and the audit record that made it.
    decision_id          TEXT    NOT NULL,
    record_id            TEXT    NOT NULL,
    at_ms                INTEGER NOT NULL,
    -- The reasons, as a JSON array of {code, text_en, text_fr}.
    reasons              TEXT    NOT NULL,
    PRIMARY KEY (world, siren, product, version)
);
CREATE INDEX credit_line_changes_by_time ON credit_line_changes (world, at_ms);

-- Each decision's grade and probability of default, by company: the company page's history,
-- and the latest one the portfolio's expected loss.
CREATE TABLE company_assessments (
    decision_id            TEXT    PRIMARY KEY,
    world                  TEXT    NOT NULL,
    siren                  TEXT    NOT NULL,
    product                TEXT    NOT NULL,
    at_ms                  INTEGER NOT NULL,
    score                  INTEGER NOT NULL,
    grade                  TEXT    NOT NULL,
    probability_of_default REAL    NOT NULL,
    outcome                TEXT    NOT NULL,
    -- api, workspace or monitoring
    origin                 TEXT    NOT NULL
);
CREATE INDEX company_assessments_by_company ON company_assessments (world, siren, at_ms);

-- What was granted before the ledger existed: the companies under monitoring, from their case.
INSERT INTO credit_lines (world, siren, product, limit_cents, version, status,
    granted_limit_cents, grant_decision_id, grant_grade, decision_id, opened_at_ms,
    changed_at_ms, last_increase_at_ms)
SELECT m.world, m.siren, c.product, m.granted_limit_cents, 1, 'active', m.granted_limit_cents,
    m.decision_id, c.grade, m.decision_id, m.enrolled_at_ms, m.enrolled_at_ms, NULL
FROM monitored_companies m JOIN cases c ON c.decision_id = m.decision_id;
INSERT INTO credit_line_changes (world, siren, product, version, change, previous_limit_cents,
    limit_cents, by_kind, by_user_id, by_name, decision_id, record_id, at_ms, reasons)
SELECT world, siren, product, 1, 'granted', NULL, limit_cents, 'engine', NULL, NULL,
    decision_id, decision_id, opened_at_ms, '[]'
FROM credit_lines;
INSERT INTO company_assessments (decision_id, world, siren, product, at_ms, score, grade,
    probability_of_default, outcome, origin)
SELECT decision_id, world, siren, product, decided_at_ms, score, grade, probability_of_default,
    automated_outcome, CASE WHEN api_key_id IS NOT NULL THEN 'api'
    WHEN submitted_by IS NOT NULL THEN 'workspace' ELSE 'monitoring' END
FROM cases;

-- The sandbox's conditions gain "inflows grow".
CREATE TABLE sandbox_conditions_next (
    siren     TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('proceeding', 'negative_balance', 'inflows_grow')),
    since_ms  INTEGER NOT NULL,
    PRIMARY KEY (siren, kind)
);
INSERT INTO sandbox_conditions_next SELECT siren, kind, since_ms FROM sandbox_conditions;
DROP TABLE sandbox_conditions;
ALTER TABLE sandbox_conditions_next RENAME TO sandbox_conditions;
