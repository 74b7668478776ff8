-- A message's attempts, found by message: status callbacks adopting a SID, the timeline, and
-- reconciliation look them up this way (without it, each is a scan of every attempt).
CREATE INDEX message_attempts_by_message ON message_attempts (message_id);
