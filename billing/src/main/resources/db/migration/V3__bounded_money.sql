-- Rates are bounded (issue 16, item 3): at most 10 digits before the decimal point and 12 after,
-- the same bounds the API validates (io.strata.billing.rating.Money). An unbounded NUMERIC let a
-- rate such as 1E+200000 reach the database; the JDBC driver's binary encoding of such values
-- either wrapped them to 0 or broke the connection's protocol state.
ALTER TABLE price_rate ALTER COLUMN rate TYPE NUMERIC(22, 12);
ALTER TABLE invoice_line ALTER COLUMN rate TYPE NUMERIC(22, 12);
