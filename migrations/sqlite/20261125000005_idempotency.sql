-- Idempotency keys of API requests: the same key and body get the original answer back.
CREATE TABLE idempotency_keys (
    api_key_id      TEXT    NOT NULL,
    idem_key        TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    status          INTEGER,
    response        TEXT,
    created_at_ms   INTEGER  NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);
