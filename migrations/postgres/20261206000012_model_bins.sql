-- Each decision's score and model inputs against the model's training deciles, one character
-- each, kept with its case; and their counts per day, position and character, added to in the
-- transaction that records the decision, which the dashboard reads for the population
-- stability index without touching the decisions themselves.
ALTER TABLE cases ADD COLUMN model_bins TEXT;
CREATE TABLE drift_counts (
    world TEXT NOT NULL,
    model_version TEXT NOT NULL,
    day BIGINT NOT NULL,
    position BIGINT NOT NULL,
    bin TEXT NOT NULL,
    decisions BIGINT NOT NULL,
    PRIMARY KEY (world, model_version, day, position, bin)
);
