-- This lender's credit history per company: every application it decided and, when granted,
-- the limit still outstanding. The internal data source reads it (exposure, history, velocity).
CREATE TABLE credit_history (
    id                  TEXT    PRIMARY KEY NOT NULL,
    world               TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    siren               TEXT    NOT NULL CHECK (length(siren) = 9),
    product             TEXT    NOT NULL,
    amount_cents        BIGINT  NOT NULL CHECK (amount_cents >= 0),
    outcome             TEXT    NOT NULL,
    -- Limit granted and not yet repaid or cancelled; 0 when nothing is outstanding.
    outstanding_cents   BIGINT  NOT NULL DEFAULT 0 CHECK (outstanding_cents >= 0),
    received_at_ms      BIGINT  NOT NULL
);
CREATE INDEX credit_history_by_company ON credit_history (world, siren, received_at_ms);
