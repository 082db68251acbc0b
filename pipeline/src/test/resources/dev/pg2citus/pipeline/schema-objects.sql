-- Objects besides tables: routines (one a column default calls, one on a table's row type), views
-- on views, a materialized view with an index, triggers (one that would change migrated rows if it
-- fired during the load), an aggregate, a rule, policies, statistics, unused types, owners and
-- grants, comments on each kind, and an object that is not carried. Needs the roles shop_reader
-- and shop_owner (SchemaObjectsTest.ROLES).
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

-- An aggregate, a rule, row-level security, extended statistics, types no table uses.
CREATE AGGREGATE "Shop".sum_sq(numeric) (SFUNC = numeric_add, STYPE = numeric, INITCOND = '0', PARALLEL = SAFE);
COMMENT ON AGGREGATE "Shop".sum_sq(numeric) IS 'adds up';
CREATE RULE no_audit_delete AS ON DELETE TO "Shop".audit DO INSTEAD NOTHING;
COMMENT ON RULE no_audit_delete ON "Shop".audit IS 'audit rows stay';
CREATE POLICY "Cheap items" ON "Shop".items AS RESTRICTIVE FOR SELECT TO shop_reader USING (price < 1000);
CREATE POLICY all_items ON "Shop".items USING (true) WITH CHECK (price > 0);
COMMENT ON POLICY all_items ON "Shop".items IS 'everyone';
ALTER TABLE "Shop".items ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Shop".audit ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE STATISTICS "Shop".items_code_price (ndistinct, dependencies) ON code, price FROM "Shop".items;
COMMENT ON STATISTICS "Shop".items_code_price IS 'codes follow prices';
CREATE DOMAIN "Shop".positive AS numeric CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE "Shop".mood AS ENUM ('sad', 'ok');

-- Comments on the kinds that have no other test.
COMMENT ON SCHEMA "Shop" IS 'the shop';
COMMENT ON DOMAIN "Shop".positive IS 'over zero';
COMMENT ON CONSTRAINT positive_check ON DOMAIN "Shop".positive IS 'checked';
COMMENT ON TYPE "Shop".mood IS 'how it went';
COMMENT ON INDEX "Shop".items_pkey IS 'by id';
COMMENT ON CONSTRAINT items_pkey ON "Shop".items IS 'one row per id';
CREATE TABLE "Shop".tags (id serial PRIMARY KEY, name text);
COMMENT ON SEQUENCE "Shop".tags_id_seq IS 'tag ids';
CREATE SEQUENCE "Shop".invoice_no;
COMMENT ON SEQUENCE "Shop".invoice_no IS 'no table owns it';

-- Owners and grants: a role owns the audit table, others read.
GRANT USAGE ON SCHEMA "Shop" TO shop_reader;
GRANT SELECT ON "Shop".items, "Shop".cheap TO shop_reader;
GRANT SELECT, INSERT ON "Shop".audit TO shop_reader WITH GRANT OPTION;
REVOKE EXECUTE ON FUNCTION "Shop".next_code() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "Shop".next_code() TO shop_reader;
GRANT USAGE ON SEQUENCE "Shop".invoice_no TO shop_reader;
ALTER TABLE "Shop".audit OWNER TO shop_owner;
ALTER FUNCTION "Shop".touch() OWNER TO shop_owner;

-- An operator (its own commutator) and a cast, which Citus does not propagate.
CREATE OPERATOR "Shop".=== (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = numeric_eq, COMMUTATOR = OPERATOR("Shop".===));
COMMENT ON OPERATOR "Shop".===(numeric, numeric) IS 'same';
CREATE CAST ("Shop".mood AS integer) WITH INOUT AS ASSIGNMENT;
COMMENT ON CAST ("Shop".mood AS integer) IS 'by text';

-- Column grants, carried after the table's own.
GRANT UPDATE (price, code), INSERT (price) ON "Shop".items TO shop_reader;

-- Default privileges for what the user creates in the schema from now on.
ALTER DEFAULT PRIVILEGES IN SCHEMA "Shop" GRANT SELECT ON TABLES TO shop_reader;

-- Not carried: listed with its reason.
CREATE OPERATOR CLASS "Shop".mood_hash_ops FOR TYPE "Shop".mood USING hash AS
  OPERATOR 1 = (anyenum, anyenum), FUNCTION 1 hashenum(anyenum);
