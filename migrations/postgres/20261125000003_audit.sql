-- The audit trail: one row per decision or later human action, append-only, each row holding the
-- hash of the previous one (hash chain). Snapshot bodies are kept once per content hash.
CREATE TABLE audit_records (
    seq             BIGINT  PRIMARY KEY CHECK (seq >= 1),
    id              TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    decision_id     TEXT    NOT NULL,
    world           TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    recorded_at_ms  BIGINT  NOT NULL,
    payload         TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL UNIQUE
);
CREATE INDEX audit_records_by_decision ON audit_records (decision_id, seq);

CREATE TABLE snapshot_bodies (
    sha256      TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    size        BIGINT  NOT NULL,
    compressed  BYTEA   NOT NULL
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER snapshot_bodies_append_only BEFORE UPDATE OR DELETE ON snapshot_bodies
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
