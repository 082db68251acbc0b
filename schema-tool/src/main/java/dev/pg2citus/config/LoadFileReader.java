package dev.pg2citus.config;

import dev.pg2citus.config.LoadFileLexer.Kind;
import dev.pg2citus.config.LoadFileLexer.Token;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a pgloader {@code LOAD DATABASE} command file with a PostgreSQL source and target into the
 * same tree of options as the YAML, so that {@link ConfigLoader} builds the same model and every
 * rule behaves as it does from YAML:
 *
 * <pre>
 * load database
 *   from pgsql:///hackathon
 *   into pgsql://localhost:9700/dim
 *   with include drop, reset no sequences
 *   set work_mem to '64MB'
 *   cast column impressions.seen_at to "timestamp with time zone"
 *   including only table names matching ~/^(companies|campaigns)$/, 'ads' in schema 'public'
 *   alter table names matching 'ads' in schema 'public' rename to 'adverts'
 *   before load do $$ create extension if not exists citus; $$
 *   distribute companies using id
 * ;
 * </pre>
 *
 * <p>Each clause maps onto a key ({@code with include drop} onto {@code load.include-drop}, {@code set}
 * onto {@code target.settings}, {@code alter schema … rename to} onto {@code rename.schemas},
 * {@code alter table names matching … rename to / set schema} onto {@code rename.tables},
 * {@code before load do} onto {@code before-load}…); options that pg2citus does differently are kept
 * with a note, and clauses that make no sense from PostgreSQL to Citus (other sources,
 * {@code materialize views}) or set what pg2citus does not carry (storage parameters, tablespaces)
 * are refused by name. Every error names the line and column. {@code {{NAME}}} templates read the
 * environment, as pgloader's do.
 */
public final class LoadFileReader {
  private static final Set<String> CLAUSES = Set.of("with", "set", "cast", "including", "excluding", "alter",
      "before", "after", "distribute", "materialize", "decoding");
  private static final Set<String> TYPE_ENDS = Set.of("to", "when", "with", "drop", "keep", "set", "using");
  private static final Pattern URI = Pattern.compile("(?i)(pgsql|postgresql|postgres)://([^?]*)(\\?(.*))?");
  /** What follows a socket directory: {@code :port/dbname}. */
  private static final Pattern SOCKET_PORT = Pattern.compile(":(\\d+)(.*)");
  private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
  private static final Set<String> SSLMODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
      "verify-full");

  /**
   * One {@code with} option: the key it sets and to what (null: the option's {@code = value}), or
   * no key; the note says what pg2citus does differently.
   */
  private record Option(String phrase, String key, String value, String note) {
    boolean takesValue() {
      return key != null && value == null;
    }
  }

  private static final List<Option> OPTIONS = List.of(
      new Option("include drop", "include-drop", "true", null),
      new Option("include no drop", "include-drop", "false", null),
      new Option("truncate", "truncate", "true", null),
      new Option("disable triggers", null, null, "disable triggers: pg2citus creates the triggers after the load, "
          + "so none fires on a migrated row"),
      new Option("create tables", "create-tables", "true", null),
      new Option("create no tables", "create-tables", "false", null),
      new Option("create indexes", "create-indexes", "true", null),
      new Option("create no indexes", "create-indexes", "false", null),
      new Option("drop indexes", null, null, "drop indexes: pg2citus creates the tables without indexes and "
          + "builds each table's indexes once its rows are in"),
      new Option("foreign keys", "foreign-keys", "true", null),
      new Option("no foreign keys", "foreign-keys", "false", null),
      new Option("data only", "data-only", "true", null),
      new Option("schema only", "schema-only", "true", null),
      new Option("reset sequences", "reset-sequences", "true", "reset sequences: pg2citus sets every sequence "
          + "to the source's value on the Citus coordinator after the load (pgloader cannot on Citus)"),
      new Option("reset no sequences", "reset-sequences", "false", "reset no sequences: the target's sequences "
          + "keep their start values; pg2citus can set them on Citus (write reset sequences)"),
      new Option("on error stop", "on-error", "stop", null),
      new Option("on error resume next", "on-error", "reject", "on error resume next: rows the target refuses "
          + "go to rejects/<table>.dat and .log with the reason, and the rest loads"),
      new Option("batch rows", "batch-rows", null, null),
      new Option("batch size", "batch-bytes", null, null),
      new Option("prefetch rows", null, null, "prefetch rows: not used; each read partition streams from the "
          + "source's COPY into the target's"),
      new Option("workers", "workers", null, null),
      new Option("concurrency", null, null, "concurrency: not used; pg2citus splits each table into partitions "
          + "(load.split-threshold) that load.workers copy"),
      new Option("max parallel create index", "index-workers", null, null),
      new Option("multiple readers per thread", null, null, "multiple readers per thread: pg2citus always "
          + "reads large tables in several partitions"),
      new Option("single reader per thread", null, null, "single reader per thread: not used; pg2citus reads "
          + "large tables in several partitions"),
      new Option("rows per range", "split-threshold", null, null),
      new Option("uniquify index names", null, null, "uniquify index names: index names are kept as the "
          + "source has them (they are unique there)"),
      new Option("preserve index names", null, null, null),
      new Option("quote identifiers", null, null, null));

  /** Options refused by name, with why. */
  private static final Map<String, String> REFUSED_OPTIONS = Map.of(
      "downcase identifiers", "pg2citus keeps every name as the source spells it, but for the schemas and "
          + "tables that alter schema and alter table clauses rename; leave the option out (quote identifiers is "
          + "what pg2citus does)",
      "snake_case identifiers", "pg2citus keeps every name as the source spells it, but for the schemas and "
          + "tables that alter schema and alter table clauses rename",
      "create no schemas", "pg2citus creates the schemas of the tables it creates",
      "encoding", "the encoding of a PostgreSQL source is the server's; there is nothing to decode");

  private final Function<String, String> environment;
  private final UnaryOperator<String> files;

  /**
   * @param environment reads the variables {@code {{NAME}}} templates name ({@code PGPASSWORD}, for a URI
   *     without a password, is applied where every configuration's is: {@link ConfigLoader})
   * @param files reads the file that {@code before load execute 'file.sql'} names
   */
  public LoadFileReader(Function<String, String> environment, UnaryOperator<String> files) {
    this.environment = environment;
    this.files = files;
  }

  /** Reads one command; {@code origin} names the file in errors. */
  public ConfigTree read(String text, String origin) {
    return new Parse(expandTemplates(text, origin), origin).command();
  }

  /**
   * pgloader's templates: {@code {{NAME}}} is the environment variable NAME ({@code from {{SOURCE}}}).
   * Columns after a template on its line are those of the expanded text.
   */
  private String expandTemplates(String text, String origin) {
    Matcher m = TEMPLATE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = environment.apply(m.group(1));
      if (value == null) {
        int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
        int column = m.start() - text.lastIndexOf('\n', m.start() - 1);
        throw new ConfigException(new ConfigLocation(origin, line, column, ""), "the template " + m.group()
            + " names the environment variable " + m.group(1) + ", which is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The state of one read. */
  private final class Parse {
    private final LoadFileLexer lexer;
    private final String origin;
    private final Map<String, YamlNode> source = new LinkedHashMap<>();
    private final Map<String, YamlNode> target = new LinkedHashMap<>();
    private final Map<String, YamlNode> settings = new LinkedHashMap<>();
    private final List<YamlNode> include = new ArrayList<>();
    private final List<YamlNode> exclude = new ArrayList<>();
    private final List<YamlNode> casts = new ArrayList<>();
    private final Map<String, YamlNode> schemaRenames = new LinkedHashMap<>();
    private final List<YamlNode> tableRenames = new ArrayList<>();
    private final List<YamlNode> rules = new ArrayList<>();
    private final List<YamlNode> beforeLoad = new ArrayList<>();
    private final List<YamlNode> afterLoad = new ArrayList<>();
    private final Map<String, YamlNode> load = new LinkedHashMap<>();
    private final Map<String, Token> optionTokens = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<YamlNode, String> comments = new IdentityHashMap<>();
    private ConfigLocation setClause;
    private ConfigLocation tablesClause;
    private ConfigLocation renameClause;

    Parse(String text, String origin) {
      this.lexer = new LoadFileLexer(text, origin);
      this.origin = origin;
    }

    ConfigTree command() {
      Token load = lexer.next();
      if (!load.is("load")) {
        throw expected(load, "'load database'");
      }
      Token what = lexer.next();
      if (!what.is("database")) {
        throw lexer.error(what, what.kind() == Kind.WORD
            ? "'load " + what.lower() + "' is refused: pg2citus reads only 'load database' from a PostgreSQL source"
            : "expected 'database' after 'load', got " + what.shown());
      }
      keyword("from", "after 'load database'");
      connection(source, "from");
      keyword("into", "after the 'from' connection string");
      connection(target, "into");
      while (true) {
        Token t = lexer.peek();
        if (t.kind() == Kind.END) {
          break;
        }
        if (t.isPunct(";")) {
          lexer.next();
          Token after = lexer.peek();
          if (after.kind() != Kind.END) {
            throw lexer.error(after, "expected the end of the file after ';', got " + after.shown()
                + ": pg2citus runs one 'load database' command per file");
          }
          break;
        }
        clause(t);
      }
      checkDropIndexes();
      return new ConfigTree(root(), notes, comments);
    }

    private void clause(Token t) {
      String word = t.kind() == Kind.WORD ? t.lower() : "";
      switch (word) {
        case "with" -> with();
        case "set" -> set();
        case "cast" -> cast();
        case "including" -> {
          lexer.next();
          keywords("only", "table", "names", "matching");
          matching(include, t);
        }
        case "excluding" -> {
          lexer.next();
          keywords("table", "names", "matching");
          matching(exclude, t);
        }
        case "before", "after" -> script(t);
        case "distribute" -> distribute();
        case "alter" -> alter();
        case "materialize" -> throw lexer.error(t, "'" + phrase(t, 2) + "' is refused: pgloader copies each view's"
            + " rows into a table of the target, and creates on the source the views written in the clause;"
            + " pg2citus never writes its source, and carries views and materialized views as they are. For a view's"
            + " rows as a table, run CREATE TABLE … AS SELECT * FROM the view on the target after the migration");
        case "decoding" -> throw lexer.error(t, "'decoding table names matching' is refused: it is for MySQL "
            + "sources; a PostgreSQL source's names need no decoding");
        default -> throw expected(t, "a clause (with, set, cast, including only table names matching, "
            + "excluding table names matching, alter schema, alter table names matching, before load do, "
            + "after load do, distribute) or ';'");
      }
    }

    // ---- from / into

    private void connection(Map<String, YamlNode> section, String clause) {
      Token uri = lexer.uri();
      String text = uri.text();
      Matcher m = URI.matcher(text);
      if (!m.matches()) {
        String scheme = text.contains("://") ? text.substring(0, text.indexOf("://") + 3) : null;
        throw lexer.error(uri, scheme != null
            ? "'" + clause + " " + scheme + "…' is refused: pg2citus migrates from PostgreSQL to PostgreSQL or "
                + "Citus; write a pgsql:// or postgresql:// connection string"
            : "expected a pgsql:// or postgresql:// connection string after '" + clause + "', got '"
                + ConnectionSpec.redact(text) + "'" + (clause.equals("from")
                    ? " (file and SQLite sources are refused: pg2citus reads a PostgreSQL source)" : ""));
      }
      String rest = m.group(2);
      int at = rest.lastIndexOf('@');
      String userInfo = at < 0 ? "" : rest.substring(0, at + 1);
      String location = at < 0 ? rest : rest.substring(at + 1);
      ConfigLocation where = at(uri, clause + " " + ConnectionSpec.redact(text));
      if (location.regionMatches(true, 0, "unix:", 0, 5)) {
        // pgloader's unix:/socket/dir[:port]/dbname; pgjdbc connects over TCP only.
        String socket = location.substring(5);
        int colon = socket.indexOf(':');
        int split = colon >= 0 ? colon : Math.max(socket.lastIndexOf('/'), 0);
        String dir = socket.substring(0, split);
        String tail = socket.substring(split);
        Matcher pm = SOCKET_PORT.matcher(tail);
        String port = pm.matches() ? ":" + pm.group(1) : "";
        String database = pm.matches() ? pm.group(2) : tail;
        location = "localhost" + port + (database.isEmpty() ? "/" : database);
        notes.add(clause + " unix:" + dir + ": pg2citus connects over TCP to localhost" + port
            + " (pgjdbc has no Unix-socket connections); the server must listen on localhost");
      } else if (location.isEmpty() || location.startsWith("/") || location.startsWith(":")) {
        notes.add(clause + " " + ConnectionSpec.redact(text) + ": no host, so pg2citus connects over TCP to "
            + "localhost (pgloader would take the local Unix socket)");
      }
      String query = m.group(4);
      if (query != null) {
        for (String param : query.split("&")) {
          String[] kv = param.split("=", 2);
          if (!kv[0].equalsIgnoreCase("sslmode")) {
            throw lexer.error(uri, "the connection string takes only ?sslmode=…, as pgloader's does; got '"
                + ConnectionSpec.redact(param) + "'");
          }
          if (kv.length < 2 || !SSLMODES.contains(kv[1].toLowerCase(Locale.ROOT))) {
            throw lexer.error(uri, "sslmode must be one of " + String.join(", ", SSLMODES.stream().sorted()
                .toList()) + "; got '" + (kv.length < 2 ? "" : kv[1]) + "'");
          }
        }
      }
      String url = "postgresql://" + userInfo + location + (query == null ? "" : "?" + query);
      YamlNode urlNode = YamlNode.scalar(where, url);
      section.put("url", urlNode);
      comments.put(urlNode, clause + " " + ConnectionSpec.redact(text));
    }

    // ---- with

    private void with() {
      lexer.next();
      do {
        option();
      } while (comma());
    }

    private void option() {
      Token first = lexer.peek();
      Option option = null;
      int length = 0;
      for (Option candidate : OPTIONS) {
        String[] words = candidate.phrase().split(" ");
        if (words.length > length && matches(words)) {
          option = candidate;
          length = words.length;
        }
      }
      if (option == null) {
        for (Map.Entry<String, String> refused : REFUSED_OPTIONS.entrySet()) {
          if (matches(refused.getKey().split(" "))) {
            throw lexer.error(first, "the option '" + refused.getKey() + "' is refused: " + refused.getValue());
          }
        }
        throw expected(first, "a 'with' option (" + OPTIONS.stream().map(Option::phrase)
            .collect(Collectors.joining(", ")) + ")");
      }
      for (int i = 0; i < length; i++) {
        lexer.next();
      }
      YamlNode given = null;
      if (option.takesValue() || (option.key() == null && lexer.peek().isPunct("="))) {
        punct("=", "after '" + option.phrase() + "'");
        given = optionValue(option);
      }
      String value = given != null ? given.asString() : option.value();
      String text = "with " + option.phrase() + (option.takesValue() ? " = " + value : "");
      if (option.note() != null) {
        notes.add(option.note());
      }
      if (option.key() == null) {
        if (given != null) {
          given.asLong(); // pgloader's counts that pg2citus does not use (prefetch rows…): still whole numbers
        }
        return;
      }
      Token earlier = optionTokens.put(option.key(), first);
      if (earlier != null) {
        throw lexer.error(first, "'" + option.phrase() + "' sets what line " + earlier.line() + " column "
            + earlier.column() + " set already (load." + option.key() + ")");
      }
      // A given value is checked where the model reads it (ConfigOptions), at the value's line and column.
      YamlNode node = given != null ? given : YamlNode.scalar(at(first, text), value);
      load.put(option.key(), node);
      comments.put(node, option.note() != null ? "with " + option.note() : text);
    }

    private boolean matches(String[] words) {
      for (int i = 0; i < words.length; i++) {
        if (!lexer.peek(i).is(words[i])) {
          return false;
        }
      }
      return true;
    }

    /**
     * The value after {@code option =}: a word or a quoted string, with its unit when written apart
     * ({@code 20 MB}); what it must be is the option's definition's to check.
     */
    private YamlNode optionValue(Option option) {
      Token t = lexer.next();
      if (t.kind() != Kind.WORD && t.kind() != Kind.STRING) {
        throw expected(t, "a value after '" + option.phrase() + " ='");
      }
      String value = t.text().strip();
      if (t.kind() == Kind.WORD && value.matches("\\d+") && lexer.peek().kind() == Kind.WORD
          && YamlNode.isSizeUnit(lexer.peek().text())) {
        value = value + lexer.next().text();
      }
      return YamlNode.scalar(at(t, "with " + option.phrase()), value);
    }

    // ---- set

    private void set() {
      Token set = lexer.next();
      if (lexer.peek().is("mysql") || lexer.peek().is("mssql")) {
        throw lexer.error(lexer.peek(), "'set " + lexer.peek().lower() + " parameters' is refused: the source is "
            + "PostgreSQL");
      }
      if (lexer.peek().is("postgresql") && lexer.peek(1).is("parameters")) {
        lexer.next();
        lexer.next();
      }
      setClause = at(set, "set");
      do {
        Token name = lexer.next();
        if (name.kind() != Kind.WORD) {
          throw expected(name, "a parameter name (work_mem, search_path…)");
        }
        StringBuilder parameter = new StringBuilder(name.lower());
        while (lexer.peek().isPunct(".")) {
          lexer.next();
          parameter.append('.').append(word("a parameter name after '.'").lower());
        }
        Token to = lexer.next();
        if (!to.is("to") && !to.isPunct("=")) {
          throw expected(to, "'to' or '=' after the parameter " + parameter);
        }
        Token value = lexer.next();
        if (value.kind() != Kind.STRING && value.kind() != Kind.WORD) {
          throw expected(value, "a value in single quotes for " + parameter);
        }
        if (settings.containsKey(parameter.toString())) {
          throw lexer.error(name, "the parameter " + parameter + " is set twice");
        }
        String text = "set " + parameter + " to '" + value.text() + "'";
        YamlNode node = YamlNode.scalar(at(name, text), value.text());
        settings.put(parameter.toString(), node);
        comments.put(node, text);
      } while (comma());
    }

    // ---- cast

    private void cast() {
      lexer.next();
      do {
        castRule();
      } while (comma());
    }

    private void castRule() {
      Token kind = lexer.next();
      Map<String, YamlNode> rule = new LinkedHashMap<>();
      ConfigLocation where;
      if (kind.is("column")) {
        // How many parts a column takes is checked where the model reads the rule (ConfigOptions).
        List<String> parts = qualifiedName("a column as table.column");
        String name = new NameRef(parts).toString();
        where = at(kind, "cast column " + name);
        rule.put("column", YamlNode.scalar(where, name));
      } else if (kind.is("type")) {
        String type = type("a source type after 'cast type'");
        where = at(kind, "cast type " + type);
        rule.put("type", YamlNode.scalar(where, type));
      } else {
        throw expected(kind, "'column' or 'type' to start a cast rule");
      }
      Token t = lexer.peek();
      if (t.is("when") || t.is("with")) {
        throw lexer.error(t, "'" + t.lower() + "' guards in cast rules are refused: they test MySQL column "
            + "properties (precision, extra, signedness); write one rule per column instead");
      }
      if (t.is("to")) {
        lexer.next();
        rule.put("to", YamlNode.scalar(where, type("a target type after 'to'")));
      }
      while (true) {
        Token option = lexer.peek();
        String flag = null;
        if (option.is("drop") || option.is("keep")) {
          boolean drop = option.is("drop");
          Token what = lexer.peek(1);
          if (what.is("default")) {
            flag = "default";
          } else if (what.is("typemod") || what.is("typmod")) {
            flag = "typmod";
          } else if (what.is("not") && lexer.peek(2).is("null")) {
            flag = "not-null";
          } else if (what.is("extra")) {
            throw lexer.error(what, "'" + option.lower() + " extra' is refused: extra is a MySQL column property");
          } else {
            throw expected(what, "default, typemod or not null after '" + option.lower() + "'");
          }
          lexer.next();
          lexer.next();
          if (flag.equals("not-null")) {
            lexer.next();
          }
          if (drop) {
            flag(rule, "drop-" + flag, option, where);
          }
          continue;
        }
        if (option.is("set") && lexer.peek(1).is("not") && lexer.peek(2).is("null")) {
          lexer.next();
          lexer.next();
          lexer.next();
          flag(rule, "set-not-null", option, where);
          continue;
        }
        if (option.is("using")) {
          lexer.next();
          Token fn = lexer.next();
          if (fn.kind() != Kind.WORD) {
            throw expected(fn, "a transform after 'using' (" + Transform.labels() + ")");
          }
          if (rule.containsKey("using")) {
            throw lexer.error(option, "a cast rule takes one 'using' function");
          }
          // Which transforms pg2citus has is checked where the model reads the rule (ConfigOptions).
          rule.put("using", YamlNode.scalar(at(fn, where.key()), fn.text()));
          continue;
        }
        break;
      }
      int end = lexer.peek().start();
      YamlNode node = YamlNode.map(where, rule);
      casts.add(node);
      comments.put(node, "cast " + lexer.between(kind.start(), end));
    }

    private void flag(Map<String, YamlNode> rule, String key, Token at, ConfigLocation where) {
      if (rule.containsKey(key)) {
        throw lexer.error(at, "'" + key.replace('-', ' ') + "' is given twice in one cast rule");
      }
      rule.put(key, YamlNode.scalar(where, "true"));
    }

    /** A type name: {@code "quoted"}, or words with an optional {@code (typmod)}, up to the next keyword. */
    private String type(String what) {
      Token first = lexer.peek();
      if (first.kind() == Kind.NAME) {
        lexer.next();
        return first.text().strip();
      }
      StringBuilder type = new StringBuilder();
      while (lexer.peek().kind() == Kind.WORD && !TYPE_ENDS.contains(lexer.peek().lower())
          && !CLAUSES.contains(lexer.peek().lower())) {
        type.append(type.length() == 0 ? "" : " ").append(lexer.next().text());
        if (lexer.peek().isPunct("(")) {
          int start = lexer.next().start();
          Token t;
          do {
            t = lexer.next();
            if (t.kind() == Kind.END) {
              throw lexer.error(t, "expected ')' to close the type modifier");
            }
          } while (!t.isPunct(")"));
          type.append(lexer.between(start, t.end()).replace(" ", ""));
        }
      }
      if (type.length() == 0) {
        throw expected(first, what);
      }
      return type.toString();
    }

    // ---- including only / excluding table names matching

    private void matching(List<YamlNode> into, Token clause) {
      List<Map<String, YamlNode>> selectors = selectors(clause);
      String text = lexer.between(clause.start(), lexer.peek().start());
      tablesClause = tablesClause == null ? at(clause, "tables") : tablesClause;
      addRules(into, selectors, text);
    }

    /**
     * The list after {@code table names matching} and its {@code in schema}: one selector per
     * pattern, an exact name or a regular expression, each with the schema.
     */
    private List<Map<String, YamlNode>> selectors(Token clause) {
      // Each pattern as (key, value): an exact name, or a regular expression.
      List<Map.Entry<String, YamlNode>> patterns = new ArrayList<>();
      do {
        Token t = lexer.next();
        ConfigLocation where = at(t, clause.lower() + " table names matching");
        patterns.add(switch (t.kind()) {
          case STRING, NAME -> Map.entry("name", YamlNode.scalar(where, t.text()));
          case WORD -> Map.entry("name", YamlNode.scalar(where, t.lower()));
          case REGEX -> Map.entry("name-matches", YamlNode.scalar(where, t.text()));
          default -> throw expected(t, "a table name in quotes or a ~/regular expression/");
        });
      } while (comma());
      String schema = null;
      if (lexer.peek().is("in")) {
        lexer.next();
        keyword("schema", "after 'in'");
        schema = name("a schema name after 'in schema'");
      }
      List<Map<String, YamlNode>> selectors = new ArrayList<>();
      for (Map.Entry<String, YamlNode> pattern : patterns) {
        Map<String, YamlNode> selector = new LinkedHashMap<>();
        if (schema != null) {
          selector.put("schema", YamlNode.scalar(pattern.getValue().location(), schema));
        }
        selector.put(pattern.getKey(), pattern.getValue());
        selectors.add(selector);
      }
      return selectors;
    }

    /** One node per selector, at its pattern; the first carries the clause's text as its comment. */
    private void addRules(List<YamlNode> into, List<Map<String, YamlNode>> selectors, String text) {
      for (Map<String, YamlNode> selector : selectors) {
        YamlNode node = YamlNode.map(selector.values().iterator().next().location(), selector);
        into.add(node);
        if (selector == selectors.get(0)) {
          comments.put(node, text);
        }
      }
    }

    // ---- alter schema / alter table names matching

    private void alter() {
      Token clause = lexer.next();
      Token what = lexer.next();
      if (renameClause == null) {
        renameClause = at(clause, "rename");
        notes.add("alter … rename: pgloader renames before it creates; pg2citus creates and loads under the source "
            + "names and renames last, in finalize, so views, keys and defaults follow (routine bodies do not: the "
            + "plan names them)");
      }
      if (what.is("schema")) {
        alterSchema(clause);
      } else if (what.is("table")) {
        keywords("names", "matching");
        alterTable(clause);
      } else {
        throw expected(what, "'schema' or 'table names matching' after 'alter'");
      }
    }

    private void alterSchema(Token clause) {
      Token from = lexer.peek();
      String schema = name("a schema name after 'alter schema'");
      keyword("rename", "after 'alter schema " + schema + "'");
      keyword("to", "after 'rename'");
      String to = name("the new schema name after 'rename to'");
      String text = lexer.between(clause.start(), lexer.peek().start());
      YamlNode node = YamlNode.scalar(at(from, "alter schema"), to);
      YamlNode earlier = schemaRenames.put(schema, node);
      if (earlier != null) {
        throw lexer.error(from, "the schema " + from.shown() + " is renamed twice (line "
            + earlier.location().line() + " column " + earlier.location().column() + " renames it already)");
      }
      comments.put(node, text);
    }

    private void alterTable(Token clause) {
      List<Map<String, YamlNode>> selectors = selectors(clause);
      Token action = lexer.next();
      String key;
      if (action.is("rename")) {
        keyword("to", "after 'rename'");
        key = "rename-to";
      } else if (action.is("set") && lexer.peek().is("schema")) {
        lexer.next();
        key = "set-schema";
      } else {
        throw alterTableAction(action);
      }
      Token to = lexer.peek();
      String name = name(key.equals("rename-to") ? "the new table name after 'rename to'"
          : "a schema name after 'set schema'");
      for (Map<String, YamlNode> selector : selectors) {
        selector.put(key, YamlNode.scalar(at(to, key.replace('-', ' ')), name));
      }
      addRules(tableRenames, selectors, lexer.between(clause.start(), lexer.peek().start()));
    }

    /** pgloader's other actions change storage, which pg2citus does not carry; anything else is a typo. */
    private ConfigException alterTableAction(Token action) {
      Token next = lexer.peek();
      if (action.is("set") && next.isPunct("(")) {
        return lexer.error(action, "'alter table names matching … set (…)' is refused: pg2citus does not carry "
            + "storage parameters; set them on the target after the migration with ALTER TABLE … SET (…)");
      }
      if (action.is("set") && next.is("tablespace")) {
        return lexer.error(action, "'alter table names matching … set tablespace' is refused: pg2citus does not "
            + "carry tablespaces; set them on the target after the migration with ALTER TABLE … SET TABLESPACE");
      }
      return action.is("set") ? expected(next, "'schema' after 'set'")
          : expected(action, "'rename to' or 'set schema' after the table names");
    }

    // ---- before load / after load

    private void script(Token clause) {
      lexer.next();
      Token what = lexer.next();
      if (!what.is("load")) {
        throw lexer.error(what, what.is("create") && clause.is("after")
            ? "'after create schema do' is refused: pg2citus creates and distributes the tables in one step; "
                + "run the SQL in 'before load do' or 'after load do'"
            : "expected 'load' after '" + clause.lower() + "', got " + what.shown());
      }
      List<YamlNode> into = clause.is("before") ? beforeLoad : afterLoad;
      Token how = lexer.next();
      if (!how.is("do") && !how.is("execute")) {
        throw expected(how, "'do' or 'execute' after '" + clause.lower() + " load'");
      }
      do {
        Token t = lexer.next();
        String sql;
        String comment;
        if (how.is("do")) {
          if (t.kind() != Kind.BLOCK) {
            throw expected(t, "a $$ … $$ block of SQL");
          }
          sql = t.text().strip();
          comment = clause.lower() + " load do $$…$$ (line " + t.line() + ")";
        } else {
          if (t.kind() != Kind.STRING && t.kind() != Kind.WORD) {
            throw expected(t, "a file name in quotes after 'execute'");
          }
          sql = files.apply(t.text()).strip();
          comment = clause.lower() + " load execute '" + t.text() + "'";
        }
        if (sql.isEmpty()) {
          throw lexer.error(t, "this SQL block is empty");
        }
        YamlNode node = YamlNode.scalar(at(t, clause.lower() + " load"), sql);
        into.add(node);
        comments.put(node, comment);
      } while (comma());
    }

    // ---- distribute

    private void distribute() {
      Token clause = lexer.next();
      NameRef table = new NameRef(qualifiedName("a table name after 'distribute'"));
      String rule;
      Token how = lexer.next();
      if (how.is("using")) {
        List<String> column = qualifiedName("a column name after 'using'");
        if (column.size() != 1) {
          throw lexer.error(how, "write the distribution column without its table");
        }
        rule = table + " using " + NameRef.spell(column.get(0));
        if (lexer.peek().is("from")) {
          lexer.next();
          List<String> path = new ArrayList<>();
          do {
            path.add(new NameRef(qualifiedName("a table name in the 'from' path")).toString());
          } while (comma());
          rule += " from " + String.join(", ", path);
        }
      } else if (how.is("as")) {
        keywords("reference", "table");
        rule = table + " as reference table";
      } else {
        throw expected(how, "'using <column>' or 'as reference table' after 'distribute " + table + "'");
      }
      YamlNode node = YamlNode.scalar(at(clause, "distribute"), rule);
      rules.add(node);
      comments.put(node, "distribute " + rule);
    }

    // ---- the pieces

    /** A name of dotted parts: bare words fold to lower case, {@code "quoted"} parts are exact. */
    private List<String> qualifiedName(String what) {
      List<String> parts = new ArrayList<>();
      while (true) {
        Token t = lexer.next();
        if (t.kind() == Kind.NAME) {
          parts.add(t.text());
        } else if (t.kind() == Kind.WORD && !CLAUSES.contains(t.lower())) {
          parts.add(t.lower());
        } else {
          throw expected(t, what);
        }
        if (!lexer.peek().isPunct(".")) {
          return parts;
        }
        lexer.next();
      }
    }

    /** A schema or table name: {@code 'quoted'} or {@code "quoted"} as it is, a bare word folded to lower case. */
    private String name(String what) {
      Token t = lexer.next();
      boolean word = t.kind() == Kind.WORD && !CLAUSES.contains(t.lower());
      if (t.kind() != Kind.STRING && t.kind() != Kind.NAME && !word) {
        throw expected(t, what);
      }
      return word ? t.lower() : t.text();
    }

    private Token word(String what) {
      Token t = lexer.next();
      if (t.kind() != Kind.WORD) {
        throw expected(t, what);
      }
      return t;
    }

    private void keyword(String word, String where) {
      Token t = lexer.next();
      if (!t.is(word)) {
        throw expected(t, "'" + word + "' " + where);
      }
    }

    private void keywords(String... words) {
      for (String word : words) {
        keyword(word, "here");
      }
    }

    private void punct(String punct, String where) {
      Token t = lexer.next();
      if (!t.isPunct(punct)) {
        throw expected(t, "'" + punct + "' " + where);
      }
    }

    private boolean comma() {
      if (lexer.peek().isPunct(",")) {
        lexer.next();
        return true;
      }
      return false;
    }

    /** The words from {@code t} on, for messages: {@code materialize views}. */
    private String phrase(Token t, int words) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < words && lexer.peek(i).kind() == Kind.WORD; i++) {
        out.add(lexer.peek(i).lower());
      }
      return out.isEmpty() ? t.lower() : String.join(" ", out);
    }

    private ConfigException expected(Token t, String what) {
      return lexer.error(t, "expected " + what + ", got " + t.shown());
    }

    private ConfigLocation at(Token t, String clause) {
      return new ConfigLocation(origin, t.line(), t.column(), clause);
    }

    /** pgloader drops and rebuilds the indexes of an existing table; pg2citus only of the tables it creates. */
    private void checkDropIndexes() {
      boolean dropIndexes = notes.stream().anyMatch(n -> n.startsWith("drop indexes"));
      boolean keepsTables = "false".equals(value("create-tables")) || "true".equals(value("data-only"));
      if (dropIndexes && keepsTables) {
        Token at = optionTokens.getOrDefault("data-only", optionTokens.get("create-tables"));
        throw lexer.error(at, "'drop indexes' with " + (optionTokens.containsKey("data-only") ? "data only"
            : "create no tables") + " is refused: pg2citus does not drop the indexes of an existing target; "
            + "drop them in 'before load do' and create them in 'after load do'");
      }
    }

    private String value(String key) {
      YamlNode node = load.get(key);
      return node == null ? null : node.asString();
    }

    private YamlNode root() {
      ConfigLocation top = new ConfigLocation(origin, 1, 1, "");
      if (!load.containsKey("include-drop")) {
        // pgloader's default WITH clause for a PostgreSQL source drops the target's tables.
        String note = "include drop, pgloader's default for a PostgreSQL source: the target's tables are dropped "
            + "(CASCADE) and created again; write include no drop to keep them";
        YamlNode node = YamlNode.scalar(new ConfigLocation(origin, 1, 1, "load database (pgloader's defaults)"),
            "true");
        load.put("include-drop", node);
        comments.put(node, "with " + note);
        notes.add(note);
      }
      Map<String, YamlNode> root = new LinkedHashMap<>();
      root.put("source", YamlNode.map(source.get("url").location(), source));
      if (!settings.isEmpty()) {
        target.put("settings", YamlNode.map(setClause, settings));
      }
      root.put("target", YamlNode.map(target.get("url").location(), target));
      if (!include.isEmpty() || !exclude.isEmpty()) {
        Map<String, YamlNode> tables = new LinkedHashMap<>();
        if (!include.isEmpty()) {
          tables.put("include", YamlNode.list(include.get(0).location(), include));
        }
        if (!exclude.isEmpty()) {
          tables.put("exclude", YamlNode.list(exclude.get(0).location(), exclude));
        }
        root.put("tables", YamlNode.map(tablesClause, tables));
      }
      if (!schemaRenames.isEmpty() || !tableRenames.isEmpty()) {
        Map<String, YamlNode> rename = new LinkedHashMap<>();
        if (!schemaRenames.isEmpty()) {
          rename.put("schemas", YamlNode.map(schemaRenames.values().iterator().next().location(), schemaRenames));
        }
        putList(rename, "tables", tableRenames);
        root.put("rename", YamlNode.map(renameClause, rename));
      }
      putList(root, "casts", casts);
      putList(root, "distribute", rules);
      putList(root, "before-load", beforeLoad);
      putList(root, "after-load", afterLoad);
      if (!load.isEmpty()) {
        root.put("load", YamlNode.map(load.values().iterator().next().location(), load));
      }
      return YamlNode.map(top, root);
    }

    private void putList(Map<String, YamlNode> section, String key, List<YamlNode> items) {
      if (!items.isEmpty()) {
        section.put(key, YamlNode.list(items.get(0).location(), items));
      }
    }
  }
}
