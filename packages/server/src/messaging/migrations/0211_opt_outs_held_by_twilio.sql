-- Whether Twilio holds the opt-out too: it took the keyword itself (an exact STOP) or refused a
-- send with 21610. Only an exact START lifts such an entry at Twilio, so an opt-in Twilio does
-- not take ("Start!", a custom keyword) leaves it. Opt-outs only Subtext saw ("STOP!") are not.
ALTER TABLE opt_outs ADD COLUMN held_by_twilio boolean NOT NULL DEFAULT false;
-- Before this column every keyword opt-out was taken as Twilio's: the safe side.
UPDATE opt_outs SET held_by_twilio = true WHERE source IN ('keyword', 'twilio_21610');
