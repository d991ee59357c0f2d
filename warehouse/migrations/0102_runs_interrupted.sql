-- A run whose process died (SIGKILL, out of memory) is closed by the next run as 'interrupted'
-- (issue 12): the status gains that value, and finished_at says what it means for such a run.
comment on column runs.status is '''running'', ''completed'', ''failed'' or ''interrupted'' (its process died; closed by the next run).';
comment on column runs.finished_at is 'When the run ended; null while running. For an interrupted run: its last recorded activity (an outcome, a fetch), or its start.';
