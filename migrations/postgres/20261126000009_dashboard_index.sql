-- The dashboard's grouped counts read only this index (no table lookups): every column its
-- queries group or filter on, after the world and the decision time they scan by.
CREATE INDEX cases_dashboard ON cases (
    world, decided_at_ms, automated_outcome, product, final_outcome, overridden, latency_ms, score
);
