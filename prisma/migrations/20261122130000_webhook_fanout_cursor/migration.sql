-- The webhook fan-out starts where the events stand when webhooks arrive (events from before are not sent), and
-- from the very first event in a new database. Made here, once, rather than by the first worker that runs: a worker
-- that starts late would otherwise begin at its own "now" and step over the events written before it started.
INSERT INTO "DomainEventCursor" ("name", "txid", "eventId", "updatedAt")
SELECT 'webhooks', COALESCE(
         (SELECT "txid"::text FROM "DomainEvent" ORDER BY "DomainEvent"."txid" DESC, "DomainEvent"."id" DESC LIMIT 1), '0'),
       COALESCE((SELECT "id" FROM "DomainEvent" ORDER BY "DomainEvent"."txid" DESC, "DomainEvent"."id" DESC LIMIT 1), 0),
       now()
ON CONFLICT ("name") DO NOTHING;
