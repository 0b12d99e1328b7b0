-- Each decision's score and model inputs against the model's training deciles, one character
-- each: the dashboard counts them for the population stability index.
ALTER TABLE cases ADD COLUMN model_bins TEXT;
