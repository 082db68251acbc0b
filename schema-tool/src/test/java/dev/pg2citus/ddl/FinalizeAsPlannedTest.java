package dev.pg2citus.ddl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pg2citus.config.MigrationConfig;
import dev.pg2citus.config.TestConfigs;
import dev.pg2citus.report.PhaseReport;
import dev.pg2citus.testing.TestPostgres;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What {@code plan} prints for finalize ({@link SchemaScripts#finalizeSchema()}) is what finalize
 * issues: the same statements, in the same order with one worker, the table work in any order with
 * several — both from one description ({@link FinalizeScript}). The statements issued are taken from
 * the executor's log, which writes each one as it takes effect.
 */
class FinalizeAsPlannedTest {
  private static final String FIXTURE = """
      DO $$ BEGIN IF to_regrole('finalize_reader') IS NULL THEN CREATE ROLE finalize_reader; END IF; END $$;
      CREATE TABLE shops (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE);
      CREATE TABLE items (id bigserial PRIMARY KEY, shop_id bigint NOT NULL REFERENCES shops (id),
                          price numeric CHECK (price >= 0), label text, changed int NOT NULL DEFAULT 0);
      CREATE INDEX items_label ON items (lower(label));
      COMMENT ON INDEX items_label IS 'by label';
      CREATE SEQUENCE tickets;
      SELECT nextval('tickets');
      INSERT INTO shops (name) SELECT 'shop ' || g FROM generate_series(1, 5) g;
      INSERT INTO items (shop_id, price, label) SELECT 1 + g % 5, g, 'item ' || g FROM generate_series(1, 200) g;
      CREATE VIEW cheap_items AS SELECT * FROM items WHERE price < 10;
      CREATE MATERIALIZED VIEW shop_totals AS SELECT shop_id, sum(price) AS total FROM items GROUP BY shop_id;
      CREATE UNIQUE INDEX shop_totals_shop ON shop_totals (shop_id);
      CREATE VIEW big_shops AS SELECT * FROM shop_totals WHERE total > 100;
      CREATE FUNCTION count_change() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN NEW.changed := OLD.changed + 1; RETURN NEW; END $f$;
      CREATE TRIGGER items_changed BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION count_change();
      GRANT SELECT ON items, cheap_items TO finalize_reader;
      GRANT UPDATE (label) ON items TO finalize_reader;
      ALTER VIEW cheap_items OWNER TO finalize_reader; -- the others are the migrating user's: no statement
      """;

  @Test
  void finalizeIssuesWhatPlanPrints() throws Exception {
    String src = TestPostgres.freshDatabase("asplanned_src");
    TestPostgres.execute(src, FIXTURE);
    for (int workers : new int[] {1, 3}) {
      String dst = TestPostgres.freshDatabase("asplanned_dst");
      MigrationConfig config = TestConfigs.onTestPostgres(src, dst, "load:\n  index-workers: " + workers + "\n")
          .withPlainTarget();
      SchemaTool tool = SchemaTool.load(config);
      List<String> planned = tool.scripts().finalizeSchema().stream().map(DdlStatement::sql).toList();
      Set<Step> steps = tool.scripts().finalizeSchema().stream().map(DdlStatement::step)
          .collect(Collectors.toCollection(() -> EnumSet.noneOf(Step.class)));
      assertTrue(steps.containsAll(EnumSet.of(Step.PRIMARY_KEY, Step.UNIQUE, Step.INDEX, Step.FOREIGN_KEY, Step.CHECK,
          Step.ANALYZE, Step.SEQUENCE_VALUE, Step.VIEW, Step.MATERIALIZED_VIEW, Step.COMMENT, Step.TRIGGER, Step.GRANT,
          Step.OWNER)), "the fixture exercises every part of finalize: " + steps);
      PhaseReport create = tool.create();
      assertFalse(create.failed(), create::render);

      List<String> issued = issuedByFinalize(tool);

      int tableWork = tool.scripts().finalizeScript().tableWork().size();
      if (workers == 1) {
        assertEquals(planned, issued, "one worker issues what plan prints, in its order");
      } else {
        assertEquals(planned.subList(0, tableWork).stream().sorted().toList(),
            issued.subList(0, tableWork).stream().sorted().toList(), "the table work, in whatever order it ran");
        assertEquals(planned.subList(tableWork, planned.size()), issued.subList(tableWork, issued.size()),
            "then the rest, in plan order");
      }
    }
  }

  /** Runs finalize and returns the SQL of every statement it issued, in the order they took effect. */
  private static List<String> issuedByFinalize(SchemaTool tool) throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(DdlExecutor.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = log.getLevel();
    boolean additive = log.isAdditive();
    log.addAppender(appender);
    log.setLevel(Level.DEBUG); // where each statement is logged
    log.setAdditive(false);
    try {
      PhaseReport finalize = tool.finalizeSchema();
      assertFalse(finalize.failed(), finalize::render);
    } finally {
      log.detachAppender(appender);
      log.setLevel(level);
      log.setAdditive(additive);
    }
    List<String> issued = new ArrayList<>();
    synchronized (appender) { // the workers append to it
      for (ILoggingEvent e : appender.list) {
        Object[] args = e.getArgumentArray();
        if (e.getMessage().equals("[{}] {} ({} ms): {}") && "finalize".equals(args[0])) {
          issued.add((String) args[3]);
        }
      }
    }
    return issued;
  }
}
