-- What a lender's integration has done, for the go-live checklist (GET /api/v1/readiness).

-- Steps seen once per world (today: the first and last ping), with the key that made them.
CREATE TABLE integration_milestones (
    world       TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    step        TEXT    NOT NULL,
    key_id      TEXT    NOT NULL,
    first_at_ms INTEGER  NOT NULL,
    last_at_ms  INTEGER  NOT NULL,
    PRIMARY KEY (world, step)
);

-- The load-test runs the server saw: decisions sent with the header Aval-Load-Test-Run, as each
-- server instance measured them (from the request's arrival to its answer). Several instances
-- behind one address each write their own row.
CREATE TABLE load_test_runs (
    run_id        TEXT    NOT NULL CHECK (length(run_id) BETWEEN 1 AND 64),
    instance_id   TEXT    NOT NULL,
    world         TEXT    NOT NULL CHECK (world IN ('sandbox', 'live')),
    key_id        TEXT    NOT NULL,
    started_at_ms INTEGER  NOT NULL,
    ended_at_ms   INTEGER  NOT NULL,
    requests      INTEGER  NOT NULL CHECK (requests >= 0),
    errors        INTEGER  NOT NULL CHECK (errors >= 0),
    over_budget   INTEGER  NOT NULL CHECK (over_budget >= 0),
    p50_us        INTEGER  NOT NULL,
    p99_us        INTEGER  NOT NULL,
    max_us        INTEGER  NOT NULL,
    PRIMARY KEY (run_id, instance_id)
);
CREATE INDEX load_test_runs_by_world ON load_test_runs (world, ended_at_ms);
