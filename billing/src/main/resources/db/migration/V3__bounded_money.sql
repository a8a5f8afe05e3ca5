-- Rates are bounded (issue 16, item 3): at most 10 digits before the decimal point and 12 after,
-- the same bounds the API validates (io.strata.billing.rating.Money). An unbounded NUMERIC let a
-- rate such as 1E+200000 reach the database; the JDBC driver's binary encoding of such values
-- either wrapped them to 0 or broke the connection's protocol state.
--
-- CHECK constraints rather than NUMERIC(22, 12): a typed column would pad every rate to 12
-- decimals (0.05 read back as 0.050000000000 on plans, invoices and CSV exports). NOT VALID:
-- rows written before this migration are not re-checked; every new row is.
ALTER TABLE price_rate ADD CONSTRAINT price_rate_bounded
  CHECK (rate < 1e10 AND scale(rate) <= 12) NOT VALID;
ALTER TABLE invoice_line ADD CONSTRAINT invoice_line_rate_bounded
  CHECK (rate < 1e10 AND scale(rate) <= 12) NOT VALID;
