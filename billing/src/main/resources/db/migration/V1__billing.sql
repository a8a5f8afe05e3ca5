-- Billing's own schema. Money and quantities are NUMERIC (exact decimals), never floating point.

-- ---- Metering: every reading exactly once ------------------------------------------------
CREATE TABLE reading (
  id              BIGSERIAL PRIMARY KEY,
  source          TEXT        NOT NULL,             -- envelope source, e.g. agent/node-1
  sequence        BIGINT      NOT NULL,             -- the source's counter
  message_id      TEXT        NOT NULL,
  type            TEXT        NOT NULL,
  tenant_id       TEXT        NOT NULL,
  array_id        TEXT        NOT NULL,
  interval_start  TIMESTAMPTZ,
  interval_end    TIMESTAMPTZ,
  status          TEXT        NOT NULL CHECK (status IN ('ACCEPTED', 'LATE', 'LATE_ADMITTED')),
  envelope        JSONB       NOT NULL,
  kafka_topic     TEXT        NOT NULL,
  kafka_partition INT         NOT NULL,
  kafka_offset    BIGINT      NOT NULL,
  received_at     TIMESTAMPTZ NOT NULL,
  CONSTRAINT reading_once UNIQUE (source, sequence)
);
CREATE INDEX reading_late ON reading (received_at) WHERE status = 'LATE';
CREATE INDEX reading_tenant ON reading (tenant_id, type);

-- Latest interval end seen per array: the reference point of the grace period.
CREATE TABLE array_watermark (
  array_id            TEXT PRIMARY KEY,
  latest_interval_end TIMESTAMPTZ NOT NULL
);

-- Where each partition's consumption stands, written in the same transaction as the readings.
CREATE TABLE consumer_offset (
  group_id    TEXT   NOT NULL,
  topic       TEXT   NOT NULL,
  partition   INT    NOT NULL,
  next_offset BIGINT NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
);

-- Messages billing could not read: kept for an operator, never dropped silently.
CREATE TABLE parked_message (
  id              BIGSERIAL PRIMARY KEY,
  kafka_topic     TEXT        NOT NULL,
  kafka_partition INT         NOT NULL,
  kafka_offset    BIGINT      NOT NULL,
  reason          TEXT        NOT NULL,
  body            BYTEA,
  parked_at       TIMESTAMPTZ NOT NULL,
  UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);

-- Hourly rollups in base units (byte-seconds, engine-seconds, operations, bytes). A row is open
-- (invoice_id NULL) until an invoice takes it; usage arriving later for the same hour opens a new
-- row, which the next invoice takes as an adjustment.
CREATE TABLE usage_hourly (
  id         BIGSERIAL PRIMARY KEY,
  tenant_id  TEXT        NOT NULL,
  array_id   TEXT        NOT NULL,
  resource   TEXT        NOT NULL,
  hour       TIMESTAMPTZ NOT NULL,
  quantity   NUMERIC     NOT NULL,
  invoice_id BIGINT
);
CREATE UNIQUE INDEX usage_hourly_open ON usage_hourly (tenant_id, array_id, resource, hour) WHERE invoice_id IS NULL;
CREATE INDEX usage_hourly_invoice ON usage_hourly (invoice_id);
CREATE INDEX usage_hourly_tenant_hour ON usage_hourly (tenant_id, hour);

-- ---- Rating ----------------------------------------------------------------------------
CREATE SEQUENCE price_plan_seq INCREMENT BY 50;
CREATE TABLE price_plan (
  id         BIGINT PRIMARY KEY,
  name       TEXT        NOT NULL UNIQUE,
  currency   CHAR(3)     NOT NULL,
  is_default BOOLEAN     NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX price_plan_one_default ON price_plan ((TRUE)) WHERE is_default;

CREATE SEQUENCE price_plan_version_seq INCREMENT BY 50;
CREATE TABLE price_plan_version (
  id             BIGINT PRIMARY KEY,
  plan_id        BIGINT      NOT NULL REFERENCES price_plan (id),
  effective_from TIMESTAMPTZ NOT NULL,
  UNIQUE (plan_id, effective_from)
);
CREATE TABLE price_rate (
  version_id BIGINT  NOT NULL REFERENCES price_plan_version (id),
  resource   TEXT    NOT NULL,
  rate       NUMERIC NOT NULL CHECK (rate >= 0),
  PRIMARY KEY (version_id, resource)
);

CREATE SEQUENCE tenant_plan_seq INCREMENT BY 50;
CREATE TABLE tenant_plan (
  id             BIGINT PRIMARY KEY,
  tenant_id      TEXT        NOT NULL,
  plan_id        BIGINT      NOT NULL REFERENCES price_plan (id),
  effective_from TIMESTAMPTZ NOT NULL,
  UNIQUE (tenant_id, effective_from)
);

-- ---- Invoices --------------------------------------------------------------------------
CREATE SEQUENCE invoice_seq INCREMENT BY 50;
CREATE TABLE invoice (
  id        BIGINT PRIMARY KEY,
  tenant_id TEXT        NOT NULL,
  period    CHAR(7)     NOT NULL,          -- YYYY-MM
  currency  CHAR(3)     NOT NULL,
  total     NUMERIC     NOT NULL,
  closed_at TIMESTAMPTZ NOT NULL,
  closed_by TEXT        NOT NULL,
  UNIQUE (tenant_id, period)
);
CREATE SEQUENCE invoice_line_seq INCREMENT BY 50;
CREATE TABLE invoice_line (
  id           BIGINT PRIMARY KEY,
  invoice_id   BIGINT  NOT NULL REFERENCES invoice (id),
  line_no      INT     NOT NULL,
  array_id     TEXT    NOT NULL,
  resource     TEXT    NOT NULL,
  usage_period CHAR(7) NOT NULL,
  adjustment   BOOLEAN NOT NULL,
  description  TEXT    NOT NULL,
  plan_name    TEXT    NOT NULL,
  quantity     NUMERIC NOT NULL,
  unit         TEXT    NOT NULL,
  rate         NUMERIC NOT NULL,
  amount       NUMERIC NOT NULL,
  UNIQUE (invoice_id, line_no)
);
