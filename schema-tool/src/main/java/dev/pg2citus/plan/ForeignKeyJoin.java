package dev.pg2citus.plan;

import dev.pg2citus.catalog.ForeignKey;
import dev.pg2citus.catalog.TableName;
import dev.pg2citus.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The join along a foreign key, as SQL: the one builder for it, used by the checks of the source
 * rows before the load ({@link DataCheck}) and by the check of each added distribution column
 * after it (the pipeline's verification).
 */
public final class ForeignKeyJoin {
  private ForeignKeyJoin() {}

  /**
   * {@code " <kind> <referenced> <referencedAlias> ON <alias>.a = <referencedAlias>.b AND …"}, with
   * a leading space: the rows of {@code alias} joined along {@code fk} with {@code referenced}, the
   * name the referenced table has where the query runs.
   *
   * @param kind {@code JOIN} or {@code LEFT JOIN}
   */
  public static String join(String kind, String alias, ForeignKey fk, TableName referenced, String referencedAlias) {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < fk.columns().size(); i++) {
      pairs.add(alias + "." + Sql.ident(fk.columns().get(i)) + " = " + referencedAlias + "."
          + Sql.ident(fk.referencedColumns().get(i)));
    }
    return " " + kind + " " + referenced.quoted() + " " + referencedAlias + " ON " + String.join(" AND ", pairs);
  }
}
