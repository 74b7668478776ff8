-- Retention redacts a message's body in the events that carry it (message.* events hold the
-- message as it was): this finds them by message id without scanning a tenant's events.
CREATE INDEX events_by_message ON events ((data #>> '{message,id}')) WHERE data ? 'message';
