-- Issue 19 (tracing): the trace an outbox row was written in. The relay publishes the row later,
-- in its own transaction and thread, so the W3C trace context (the "traceparent" of the request
-- that changed the domain, 55 characters) travels with the row; the relay's publish span is its
-- child and the Kafka record carries the publish span as its "traceparent" header.
-- Null for rows written outside any trace (and for rows written before this migration).
alter table outbox_message add column traceparent varchar(55);
