-- When a window's latest counted request came (epoch ms, platform clock): a window's requests
-- have all left the sliding window one window after it, which bounds the wait a refusal
-- announces by the window (verify/limits.ts). NULL on rows counted before this column.
ALTER TABLE verify_rate_counters ADD COLUMN last_ms bigint;
