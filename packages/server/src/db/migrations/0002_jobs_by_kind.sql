-- Jobs are claimed kind by kind (jobs/queue.ts claimDueJobs): each kind's due rows are found
-- without walking another kind's backlog.
CREATE INDEX jobs_due_by_kind ON jobs (kind, run_at, id) WHERE failed_at IS NULL;
