-- Objects besides tables: routines (one a column default calls, one on a table's row type), views
-- on views, a materialized view with an index, triggers (one that would change migrated rows if it
-- fired during the load), comments on each kind, and objects that are not carried yet.
CREATE SCHEMA "Shop";
CREATE FUNCTION "Shop".next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'C-' || 1 $$;
COMMENT ON FUNCTION "Shop".next_code() IS 'default for item codes';
CREATE TABLE "Shop".items (
    id bigint PRIMARY KEY,
    code text NOT NULL DEFAULT "Shop".next_code(),
    price numeric(10,2) NOT NULL,
    touched int NOT NULL DEFAULT 0
);
CREATE TABLE "Shop".audit (item bigint, what text);
CREATE FUNCTION "Shop".total(i "Shop".items) RETURNS numeric LANGUAGE sql AS $$ SELECT i.price * 2 $$;
CREATE PROCEDURE "Shop".reprice(factor numeric) LANGUAGE sql AS $$ UPDATE "Shop".items SET price = price * factor $$;
COMMENT ON PROCEDURE "Shop".reprice(numeric) IS 'scales every price';
CREATE FUNCTION "Shop".touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.touched := NEW.touched + 1;
  INSERT INTO "Shop".audit VALUES (NEW.id, TG_OP);
  RETURN NEW;
END $$;
CREATE TRIGGER items_touch BEFORE INSERT OR UPDATE ON "Shop".items FOR EACH ROW EXECUTE FUNCTION "Shop".touch();
COMMENT ON TRIGGER items_touch ON "Shop".items IS 'counts writes';
CREATE TRIGGER items_quiet AFTER DELETE ON "Shop".items FOR EACH ROW EXECUTE FUNCTION "Shop".touch();
ALTER TABLE "Shop".items DISABLE TRIGGER items_quiet;

INSERT INTO "Shop".items (id, price) SELECT g, g FROM generate_series(1, 500) g;
TRUNCATE "Shop".audit;

CREATE VIEW "Shop".cheap AS SELECT id, code, price FROM "Shop".items WHERE price < 100;
COMMENT ON VIEW "Shop".cheap IS 'under 100';
CREATE VIEW "Shop"."Cheapest" WITH (security_barrier) AS SELECT id, "Shop".total(i) AS doubled FROM "Shop".items i
  WHERE id IN (SELECT id FROM "Shop".cheap) WITH LOCAL CHECK OPTION;
CREATE MATERIALIZED VIEW "Shop".price_bands AS SELECT (price / 100)::int AS band, count(*) AS n FROM "Shop".items GROUP BY 1;
CREATE UNIQUE INDEX price_bands_band ON "Shop".price_bands (band);
COMMENT ON MATERIALIZED VIEW "Shop".price_bands IS 'items per hundred';
CREATE VIEW "Shop".bands_view AS SELECT band FROM "Shop".price_bands;

-- Not carried yet: each must be listed with its reason.
CREATE AGGREGATE "Shop".sum_sq(numeric) (SFUNC = numeric_add, STYPE = numeric);
CREATE RULE no_audit_delete AS ON DELETE TO "Shop".audit DO INSTEAD NOTHING;
CREATE POLICY own_items ON "Shop".items USING (true);
