-- Who answers Twilio's default keywords (STOP, HELP, START and their synonyms, written exactly):
-- 'twilio' (its Default or Advanced Opt-Out), or 'subtext' once Twilio Support has turned off
-- Twilio's keyword handling for the tenant's subaccount (docs/messaging.md, "Keywords").
ALTER TABLE messaging_settings
  ADD COLUMN default_keywords_answered_by text NOT NULL DEFAULT 'twilio'
  CHECK (default_keywords_answered_by IN ('twilio', 'subtext'));
