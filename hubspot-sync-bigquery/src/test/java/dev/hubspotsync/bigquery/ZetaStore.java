package dev.hubspotsync.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.zetasql.Analyzer;
import com.google.zetasql.AnalyzerOptions;
import com.google.zetasql.EvaluatorTableModifyResponse;
import com.google.zetasql.LanguageOptions;
import com.google.zetasql.ParseLocationRange;
import com.google.zetasql.ParseResumeLocation;
import com.google.zetasql.Parser;
import com.google.zetasql.PreparedModify;
import com.google.zetasql.PreparedQuery;
import com.google.zetasql.SimpleCatalog;
import com.google.zetasql.SimpleColumn;
import com.google.zetasql.SimpleTable;
import com.google.zetasql.TableContent;
import com.google.zetasql.Type;
import com.google.zetasql.TypeFactory;
import com.google.zetasql.Value;
import com.google.zetasql.ZetaSQLBuiltinFunctionOptions;
import com.google.zetasql.ZetaSQLOptions.LanguageFeature;
import com.google.zetasql.ZetaSQLOptions.ProductMode;
import com.google.zetasql.ZetaSQLResolvedNodeKind.ResolvedNodeKind;
import com.google.zetasql.ZetaSQLType.TypeKind;
import com.google.zetasql.parser.ASTMergeActionEnums.ActionType;
import com.google.zetasql.parser.ASTMergeWhenClauseEnums.MatchType;
import com.google.zetasql.parser.ASTNode;
import com.google.zetasql.parser.ASTNodes.ASTMergeStatement;
import com.google.zetasql.parser.ASTNodes.ASTMergeWhenClause;
import com.google.zetasql.parser.ASTNodes.ASTStatement;
import com.google.zetasql.resolvedast.ResolvedCreateStatementEnums.CreateMode;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedAddColumnAction;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedAlterAction;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedAlterColumnSetDataTypeAction;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedAlterTableStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedBeginStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedColumnDefinition;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCommitStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateSchemaStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedCreateTableStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedDeleteStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedDropStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedInsertStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedMergeStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedQueryStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedRollbackStmt;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedStatement;
import com.google.zetasql.resolvedast.ResolvedNodes.ResolvedUpdateStmt;
import com.google.zetasql.resolvedast.ResolvedColumn;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tables of the local BigQuery and the engine that runs statements on them: ZetaSQL analyses
 * every statement (BigQuery's dialect, external product mode) and its reference evaluator executes
 * queries, INSERT, UPDATE and DELETE over the tables' rows; MERGE is executed by lowering each WHEN
 * clause to one of those, all against one snapshot (MERGE's all-at-once semantics), after BigQuery's
 * "at most one source row per target row" check; DDL, BEGIN, COMMIT and ROLLBACK are interpreted
 * here. A session's transaction works on its own copy of the tables and commits unless another
 * commit changed one of its tables since it began ("concurrent update", as BigQuery aborts). Every
 * table has a hidden {@code _rowid} pseudo column first (row identity for UPDATE and DELETE).
 * Thread-safe (one lock). Slow on large joins: keep data to hundreds of rows.
 */
final class ZetaStore {
  private static final String ROWID = "_rowid";
  private static final LanguageOptions LANGUAGE = language();

  /** A failure BigQuery would report: HTTP status, reason and message. */
  static final class StandInException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String reason;

    StandInException(int status, String reason, String message) {
      super(message);
      this.status = status;
      this.reason = reason;
    }

    static StandInException invalid(String message) {
      return new StandInException(400, "invalidQuery", message);
    }
  }

  /** A column: name, ZetaSQL type, the SQL of its default (or null). */
  record Col(String name, Type type, String defaultSql) {
    String bigQueryType() {
      return ZetaStore.bigQueryType(type);
    }
  }

  /** An output column of a result. */
  record Result(List<Col> columns, List<List<Value>> rows, Long dmlAffected, String statementType) {}

  private static final class Table {
    final String path;
    final List<Col> columns = new ArrayList<>();
    final LinkedHashMap<Long, Value[]> rows = new LinkedHashMap<>();
    long version;

    Table(String path) {
      this.path = path;
    }

    Table copy() {
      Table t = new Table(path);
      t.columns.addAll(columns);
      rows.forEach((id, values) -> t.rows.put(id, values.clone()));
      t.version = version;
      return t;
    }
  }

  private static final class Session {
    Map<String, Table> tables;
    final Set<String> changed = new HashSet<>();
  }

  private final SimpleCatalog catalog = functions();
  private final List<String> registered = new ArrayList<>();
  private final Map<String, Table> committed = new HashMap<>();
  private final Set<String> datasets = new HashSet<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private final AtomicLong rowIds = new AtomicLong();
  private final AtomicLong sessionIds = new AtomicLong();
  private long statementsRun;

  private static LanguageOptions language() {
    LanguageOptions options = new LanguageOptions().enableMaximumLanguageFeatures();
    options.setSupportsAllStatementKinds();
    options.setProductMode(ProductMode.PRODUCT_EXTERNAL);
    options.enableLanguageFeature(LanguageFeature.FEATURE_ALTER_COLUMN_SET_DATA_TYPE);
    return options;
  }

  private static SimpleCatalog functions() {
    SimpleCatalog catalog = new SimpleCatalog("bigquery");
    catalog.addZetaSQLFunctionsAndTypes(new ZetaSQLBuiltinFunctionOptions(LANGUAGE));
    return catalog;
  }

  synchronized boolean createDataset(String path) {
    return datasets.add(key(path));
  }

  synchronized boolean hasDataset(String path) {
    return datasets.contains(key(path));
  }

  synchronized String newSession() {
    String id = "session" + sessionIds.incrementAndGet();
    sessions.put(id, new Session());
    return id;
  }

  /** Statements executed so far (lowered MERGE clauses count one each). */
  synchronized long statementsRun() {
    return statementsRun;
  }

  /** Creates a table from a REST schema ({@code [{name, type, mode}]}). */
  synchronized void createTable(String path, JsonNode fields) {
    checkDataset(path);
    if (committed.containsKey(key(path))) {
      throw new StandInException(409, "duplicate", "Already Exists: Table " + path);
    }
    Table table = new Table(path);
    for (JsonNode f : fields) {
      table.columns.add(new Col(f.path("name").asText(), restType(f.path("type").asText()), null));
    }
    committed.put(key(path), table);
  }

  synchronized boolean dropTable(String path) {
    return committed.remove(key(path)) != null;
  }

  /** Appends (or replaces, with {@code truncate}) rows given as JSON objects, as a load job does. */
  synchronized void load(String path, List<JsonNode> rows, boolean truncate) {
    Table table = committed.get(key(path));
    if (table == null) {
      throw new StandInException(404, "notFound", "Not found: Table " + path);
    }
    List<Value[]> parsed = new ArrayList<>();
    int line = 0;
    for (JsonNode row : rows) {
      line++;
      Iterator<String> names = row.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (table.columns.stream().noneMatch(c -> c.name.equalsIgnoreCase(name))) {
          throw new StandInException(400, "invalid", "Error while reading data, error message: JSON parsing error in row "
              + line + ": No such field: " + name);
        }
      }
      Value[] values = new Value[table.columns.size()];
      for (int i = 0; i < values.length; i++) {
        Col col = table.columns.get(i);
        values[i] = fromJson(row.get(col.name), col.type, line, col.name);
      }
      parsed.add(values);
    }
    if (truncate) {
      table.rows.clear();
    }
    parsed.forEach(v -> table.rows.put(rowIds.incrementAndGet(), v));
    table.version++;
  }

  /** Every row of a committed table: column name → Java value (Long, String, Double, BigDecimal, Boolean, LocalDate, Instant). */
  synchronized List<Map<String, Object>> rows(String path) {
    Table table = committed.get(key(path));
    if (table == null) {
      throw new IllegalArgumentException("no table " + path + " in the local BigQuery");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Value[] values : table.rows.values()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < values.length; i++) {
        row.put(table.columns.get(i).name, javaValue(values[i]));
      }
      out.add(row);
    }
    return out;
  }

  /** The names of the committed tables of a dataset. */
  synchronized List<String> tables(String dataset) {
    String prefix = key(dataset) + ".";
    return committed.keySet().stream().filter(k -> k.startsWith(prefix)).map(k -> committed.get(k).path).sorted().toList();
  }

  /** Runs a statement or script; the last statement's result. */
  synchronized Result execute(String sql, JsonNode parameters, String sessionId) {
    long started = System.nanoTime();
    try {
      return executeTimed(sql, parameters, sessionId);
    } finally {
      nanos += System.nanoTime() - started;
    }
  }

  /** Time spent executing, in milliseconds. */
  synchronized long millis() {
    return nanos / 1_000_000;
  }

  private long nanos;

  private Result executeTimed(String sql, JsonNode parameters, String sessionId) {
    Session session = null;
    if (sessionId != null) {
      session = sessions.get(sessionId);
      if (session == null) {
        throw new StandInException(400, "invalid", "Session " + sessionId + " does not exist or has expired");
      }
    }
    Map<String, Value> params = new LinkedHashMap<>();
    String text = nameParameters(sql, parameters, params);
    Result last = null;
    for (String statement : statements(text)) {
      last = executeOne(statement, params, session);
    }
    if (last == null) {
      throw StandInException.invalid("Syntax error: no statement in the query");
    }
    return last;
  }

  private Result executeOne(String sql, Map<String, Value> params, Session session) {
    statementsRun++;
    Map<String, Table> view = session != null && session.tables != null ? session.tables : committed;
    ResolvedStatement statement;
    try {
      statement = Analyzer.analyzeStatement(sql, options(params), catalog(view, false));
    } catch (RuntimeException e) {
      throw StandInException.invalid(message(e));
    }
    if (statement instanceof ResolvedBeginStmt) {
      requireSession(session, "BEGIN TRANSACTION");
      if (session.tables != null) {
        throw StandInException.invalid("Transaction is already in progress in this session");
      }
      session.tables = new HashMap<>();
      committed.forEach((k, t) -> session.tables.put(k, t.copy()));
      session.changed.clear();
      return new Result(List.of(), List.of(), null, "BEGIN_TRANSACTION");
    } else if (statement instanceof ResolvedCommitStmt) {
      requireSession(session, "COMMIT TRANSACTION");
      if (session.tables == null) {
        throw StandInException.invalid("COMMIT TRANSACTION without an active transaction");
      }
      Map<String, Table> mine = session.tables;
      session.tables = null;
      for (String k : session.changed) {
        Table base = committed.get(k);
        Table changed = mine.get(k);
        if (base != null && changed != null && base.version != changed.version - 1) {
          throw StandInException.invalid("Transaction is aborted due to concurrent update against table " + base.path);
        }
      }
      for (String k : session.changed) {
        Table changed = mine.get(k);
        if (changed != null) {
          Table base = committed.get(k);
          changed.version = (base == null ? 0 : base.version) + 1;
          committed.put(k, changed);
        }
      }
      return new Result(List.of(), List.of(), null, "COMMIT_TRANSACTION");
    } else if (statement instanceof ResolvedRollbackStmt) {
      requireSession(session, "ROLLBACK TRANSACTION");
      session.tables = null;
      return new Result(List.of(), List.of(), null, "ROLLBACK_TRANSACTION");
    }
    boolean inTransaction = session != null && session.tables != null;
    if (statement instanceof ResolvedQueryStmt) {
      return query(sql, params, view);
    } else if (statement instanceof ResolvedInsertStmt || statement instanceof ResolvedUpdateStmt
        || statement instanceof ResolvedDeleteStmt || statement instanceof ResolvedMergeStmt) {
      String table = key(targetOf(statement));
      Table before = view.get(table);
      long affected = statement instanceof ResolvedMergeStmt ? merge(sql, params, view, before)
          : modify(sql, params, view, statement);
      if (inTransaction) {
        if (session.changed.add(table)) {
          before.version++; // marks the copy as changed once; commit compares with the base
        }
      } else {
        before.version++;
      }
      String type = statement.getClass().getSimpleName().replace("Resolved", "").replace("Stmt", "").toUpperCase(Locale.ROOT);
      return new Result(List.of(), List.of(), affected, type);
    }
    if (inTransaction) {
      throw StandInException.invalid("Statement is not supported inside a transaction: only DML, SELECT and "
          + "temporary tables are (" + statement.getClass().getSimpleName() + ")");
    }
    return ddl(statement);
  }

  private static void requireSession(Session session, String what) {
    if (session == null) {
      throw StandInException.invalid(what + " is only supported in a session or a script");
    }
  }

  private Result query(String sql, Map<String, Value> params, Map<String, Table> view) {
    try (PreparedQuery query = PreparedQuery.builder().setSql(sql).setAnalyzerOptions(options(params))
        .setCatalog(catalog(view, false)).setTablesContents(contents(view)).prepare()) {
      TableContent content = query.execute(params);
      List<Col> columns = new ArrayList<>();
      for (SimpleColumn c : query.getColumns()) {
        columns.add(new Col(c.getName(), c.getType(), null));
      }
      List<List<Value>> rows = new ArrayList<>();
      content.getTableData().forEach(r -> rows.add(new ArrayList<>(r)));
      return new Result(columns, rows, null, "SELECT");
    } catch (StandInException e) {
      throw e;
    } catch (RuntimeException e) {
      throw StandInException.invalid(message(e));
    }
  }

  /** INSERT, UPDATE or DELETE through the evaluator, applied to the view; the rows changed. */
  private long modify(String sql, Map<String, Value> params, Map<String, Table> view, ResolvedStatement statement) {
    List<Change> changes = evaluate(sql, params, view, !(statement instanceof ResolvedInsertStmt));
    Table table = view.get(key(targetOf(statement)));
    Set<String> listed = new HashSet<>();
    if (statement instanceof ResolvedInsertStmt insert) {
      for (ResolvedColumn c : insert.getInsertColumnList()) {
        listed.add(c.getName().toLowerCase(Locale.ROOT));
      }
    }
    apply(table, changes, listed, params);
    return changes.size();
  }

  private record Change(EvaluatorTableModifyResponse.Row.Operation operation, Long rowId, Value[] values) {}

  private List<Change> evaluate(String sql, Map<String, Value> params, Map<String, Table> view, boolean withKey) {
    try (PreparedModify modify = PreparedModify.builder().setSql(sql).setAnalyzerOptions(options(params))
        .setCatalog(catalog(view, withKey)).setTablesContents(contents(view)).prepare()) {
      EvaluatorTableModifyResponse response = modify.execute(params);
      List<Change> changes = new ArrayList<>();
      for (EvaluatorTableModifyResponse.Row row : response.getContent()) {
        List<Value> content = row.getContent();
        Value[] values = content.isEmpty() ? null : content.subList(1, content.size()).toArray(new Value[0]);
        Long rowId = row.getOriginalPrimaryKeysValues().isEmpty() ? null
            : row.getOriginalPrimaryKeysValues().get(0).getInt64Value();
        changes.add(new Change(row.getOperation(), rowId, values));
      }
      return changes;
    } catch (StandInException e) {
      throw e;
    } catch (RuntimeException e) {
      throw StandInException.invalid(message(e));
    }
  }

  private void apply(Table table, List<Change> changes, Set<String> insertColumns, Map<String, Value> params) {
    Map<Integer, Value> defaults = new HashMap<>();
    for (Change change : changes) {
      switch (change.operation) {
        case INSERT -> {
          Value[] values = change.values;
          for (int i = 0; i < values.length; i++) {
            Col col = table.columns.get(i);
            if (col.defaultSql != null && values[i].isNull() && !insertColumns.contains(col.name.toLowerCase(Locale.ROOT))) {
              values[i] = defaults.computeIfAbsent(i, n -> evaluateDefault(col));
            }
          }
          table.rows.put(rowIds.incrementAndGet(), values);
        }
        case UPDATE -> table.rows.put(change.rowId, change.values);
        case DELETE -> table.rows.remove(change.rowId);
        default -> throw StandInException.invalid("unexpected change " + change.operation);
      }
    }
  }

  private Value evaluateDefault(Col col) {
    Result r = query("SELECT " + col.defaultSql, Map.of(), Map.of());
    return r.rows().get(0).get(0);
  }

  /** MERGE by lowering: each WHEN clause becomes INSERT, UPDATE or DELETE, all run on one snapshot. */
  private long merge(String sql, Map<String, Value> params, Map<String, Table> view, Table target) {
    ASTStatement parsed = Parser.parseStatement(sql, LANGUAGE);
    if (!(parsed instanceof ASTMergeStatement merge)) {
      throw StandInException.invalid("not a MERGE");
    }
    byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
    String targetPath = cut(bytes, merge.getTargetPath());
    String alias = merge.getAlias() == null ? targetPath : merge.getAlias().getIdentifier().getIdString();
    String targetAs = targetPath + (merge.getAlias() == null ? "" : " AS " + quote(alias));
    String aliasRef = merge.getAlias() == null ? targetPath : quote(alias);
    String source = cut(bytes, merge.getTableExpression());
    String on = "(" + cut(bytes, merge.getMergeCondition()) + ")";
    // BigQuery: a target row may match at most one source row.
    Result dup = query("SELECT " + aliasRef + "." + ROWID + " FROM " + targetAs + " JOIN " + source + " ON " + on
        + " GROUP BY 1 HAVING COUNT(*) > 1", params, view);
    if (!dup.rows().isEmpty() && merge.getWhenClauses().getClauseList().stream()
        .anyMatch(c -> c.getMatchType() == MatchType.MATCHED)) {
      throw StandInException.invalid("UPDATE/MERGE must match at most one source row for each target row");
    }
    Map<MatchType, List<String>> earlier = new HashMap<>();
    List<Change> changes = new ArrayList<>();
    Set<String> insertColumns = new HashSet<>();
    for (ASTMergeWhenClause clause : merge.getWhenClauses().getClauseList()) {
      MatchType match = clause.getMatchType() == MatchType.NOT_MATCHED_BY_TARGET ? MatchType.NOT_MATCHED_BY_TARGET
          : clause.getMatchType();
      List<String> previous = earlier.computeIfAbsent(match, m -> new ArrayList<>());
      StringBuilder guard = new StringBuilder("TRUE");
      for (String p : previous) {
        guard.append(" AND NOT COALESCE(").append(p).append(", FALSE)");
      }
      if (clause.getSearchCondition() != null) {
        String condition = "(" + cut(bytes, clause.getSearchCondition()) + ")";
        guard.append(" AND ").append(condition);
        previous.add(condition);
      } else {
        previous.add("TRUE");
      }
      ActionType action = clause.getAction().getActionType();
      String lowered;
      if (match == MatchType.MATCHED) {
        lowered = action == ActionType.UPDATE
            ? "UPDATE " + targetAs + " SET " + cut(bytes, clause.getAction().getUpdateItemList()) + " FROM " + source
                + " WHERE " + on + " AND " + guard
            : "DELETE FROM " + targetAs + " WHERE EXISTS (SELECT 1 FROM " + source + " WHERE " + on + " AND " + guard + ")";
      } else if (match == MatchType.NOT_MATCHED_BY_SOURCE) {
        String absent = "NOT EXISTS (SELECT 1 FROM " + source + " WHERE " + on + ")";
        lowered = action == ActionType.UPDATE
            ? "UPDATE " + targetAs + " SET " + cut(bytes, clause.getAction().getUpdateItemList()) + " WHERE " + absent
                + " AND " + guard
            : "DELETE FROM " + targetAs + " WHERE " + absent + " AND " + guard;
      } else {
        if (action != ActionType.INSERT) {
          throw StandInException.invalid("WHEN NOT MATCHED takes INSERT only");
        }
        String columns;
        if (clause.getAction().getInsertColumnList() != null) {
          columns = cut(bytes, clause.getAction().getInsertColumnList());
        } else {
          columns = "(" + String.join(", ", target.columns.stream().map(c -> quote(c.name)).toList()) + ")";
        }
        for (String c : columns.replaceAll("[()`\\s]", "").split(",")) {
          insertColumns.add(c.toLowerCase(Locale.ROOT));
        }
        String row = clause.getAction().getInsertRow() == null ? "*" : cut(bytes, clause.getAction().getInsertRow());
        String values = row.startsWith("(") ? row.substring(1, row.length() - 1) : row;
        lowered = "INSERT INTO " + targetPath + " " + columns + " SELECT " + values + " FROM " + source
            + " WHERE NOT EXISTS (SELECT 1 FROM " + targetAs + " WHERE " + on + ") AND " + guard;
      }
      changes.addAll(evaluate(lowered, params, view, action != ActionType.INSERT));
    }
    apply(target, changes, insertColumns, params);
    return changes.size();
  }

  private static String quote(String name) {
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
  }

  private static String cut(byte[] sql, ASTNode node) {
    ParseLocationRange range = node.getParseLocationRange();
    return new String(sql, range.start(), range.end() - range.start(), StandardCharsets.UTF_8);
  }

  private Result ddl(ResolvedStatement statement) {
    if (statement instanceof ResolvedCreateTableStmt create) {
      String path = String.join(".", create.getNamePath());
      checkDataset(path);
      Table existing = committed.get(key(path));
      if (existing != null && create.getCreateMode() == CreateMode.CREATE_IF_NOT_EXISTS) {
        return done("CREATE_TABLE");
      }
      if (existing != null && create.getCreateMode() != CreateMode.CREATE_OR_REPLACE) {
        throw new StandInException(409, "duplicate", "Already Exists: Table " + path);
      }
      Table table = new Table(path);
      for (ResolvedColumnDefinition c : create.getColumnDefinitionList()) {
        table.columns.add(column(c));
      }
      committed.put(key(path), table);
      return done("CREATE_TABLE");
    } else if (statement instanceof ResolvedAlterTableStmt alter) {
      String path = String.join(".", alter.getNamePath());
      Table table = committed.get(key(path));
      if (table == null) {
        throw new StandInException(404, "notFound", "Not found: Table " + path);
      }
      for (ResolvedAlterAction action : alter.getAlterActionList()) {
        if (action instanceof ResolvedAddColumnAction add) {
          String name = add.getColumnDefinition().getName();
          boolean exists = table.columns.stream().anyMatch(c -> c.name.equalsIgnoreCase(name));
          if (exists && add.getIsIfNotExists()) {
            continue;
          } else if (exists) {
            throw StandInException.invalid("Column already exists: " + name);
          }
          table.columns.add(column(add.getColumnDefinition()));
          for (Map.Entry<Long, Value[]> row : table.rows.entrySet()) {
            Value[] longer = java.util.Arrays.copyOf(row.getValue(), row.getValue().length + 1);
            longer[longer.length - 1] = Value.createNullValue(add.getColumnDefinition().getType());
            row.setValue(longer);
          }
        } else if (action instanceof ResolvedAlterColumnSetDataTypeAction set) {
          setDataType(table, set.getColumn(), set.getUpdatedType());
        } else {
          throw StandInException.invalid("The local BigQuery does not execute " + action.getClass().getSimpleName());
        }
      }
      table.version++;
      return done("ALTER_TABLE");
    } else if (statement instanceof ResolvedDropStmt drop) {
      String path = String.join(".", drop.getNamePath());
      if (committed.remove(key(path)) == null && !drop.getIsIfExists()) {
        throw new StandInException(404, "notFound", "Not found: Table " + path);
      }
      return done("DROP_TABLE");
    } else if (statement instanceof ResolvedCreateSchemaStmt schema) {
      datasets.add(key(String.join(".", schema.getNamePath())));
      return done("CREATE_SCHEMA");
    }
    throw StandInException.invalid("The local BigQuery does not execute " + statement.getClass().getSimpleName());
  }

  private static void setDataType(Table table, String column, Type type) {
    for (int i = 0; i < table.columns.size(); i++) {
      Col col = table.columns.get(i);
      if (col.name.equalsIgnoreCase(column)) {
        TypeKind from = col.type.getKind();
        TypeKind to = type.getKind();
        boolean widening = from == to || (from == TypeKind.TYPE_NUMERIC && to == TypeKind.TYPE_DOUBLE)
            || (from == TypeKind.TYPE_INT64 && (to == TypeKind.TYPE_NUMERIC || to == TypeKind.TYPE_DOUBLE));
        if (!widening) {
          throw StandInException.invalid("ALTER TABLE ALTER COLUMN SET DATA TYPE requires that the existing column type ("
              + bigQueryType(col.type) + ") is assignable to the new type (" + bigQueryType(type) + ")");
        }
        table.columns.set(i, new Col(col.name, type, col.defaultSql));
        for (Value[] values : table.rows.values()) {
          Value v = values[i];
          values[i] = v.isNull() ? Value.createNullValue(type)
              : to == TypeKind.TYPE_DOUBLE && from == TypeKind.TYPE_NUMERIC ? Value.createDoubleValue(v.getNumericValue().doubleValue())
              : to == TypeKind.TYPE_DOUBLE && from == TypeKind.TYPE_INT64 ? Value.createDoubleValue(v.getInt64Value())
              : to == TypeKind.TYPE_NUMERIC && from == TypeKind.TYPE_INT64 ? Value.createNumericValue(BigDecimal.valueOf(v.getInt64Value()))
              : v;
        }
        return;
      }
    }
    throw StandInException.invalid("Column not found: " + column);
  }

  private static Col column(ResolvedColumnDefinition c) {
    return new Col(c.getName(), c.getType(), c.getDefaultValue() == null ? null : c.getDefaultValue().getSql());
  }

  private static Result done(String type) {
    return new Result(List.of(), List.of(), null, type);
  }

  private void checkDataset(String path) {
    int dot = path.lastIndexOf('.');
    if (dot < 0 || !datasets.contains(key(path.substring(0, dot)))) {
      throw new StandInException(404, "notFound", "Not found: Dataset " + (dot < 0 ? path : path.substring(0, dot)));
    }
  }

  private static String targetOf(ResolvedStatement statement) {
    if (statement instanceof ResolvedInsertStmt s) {
      return s.getTableScan().getTable().getFullName();
    } else if (statement instanceof ResolvedUpdateStmt s) {
      return s.getTableScan().getTable().getFullName();
    } else if (statement instanceof ResolvedDeleteStmt s) {
      return s.getTableScan().getTable().getFullName();
    }
    return ((ResolvedMergeStmt) statement).getTableScan().getTable().getFullName();
  }

  private static AnalyzerOptions options(Map<String, Value> params) {
    AnalyzerOptions options = new AnalyzerOptions();
    options.setLanguageOptions(LANGUAGE);
    options.setDefaultTimezone("UTC");
    params.forEach((name, value) -> options.addQueryParameter(name, value.getType()));
    return options;
  }

  /** The tables of the view (plus each dataset's INFORMATION_SCHEMA.TABLES), a hidden _rowid first. */
  private SimpleCatalog catalog(Map<String, Table> view, boolean rowIdKey) {
    for (String name : registered) {
      catalog.removeSimpleTable(name);
    }
    registered.clear();
    for (Table t : view.values()) {
      List<SimpleColumn> columns = new ArrayList<>();
      columns.add(new SimpleColumn(t.path, ROWID, TypeFactory.createSimpleType(TypeKind.TYPE_INT64), true, false));
      for (Col c : t.columns) {
        columns.add(new SimpleColumn(t.path, c.name, c.type, false, true));
      }
      SimpleTable table = new SimpleTable(t.path, columns);
      if (rowIdKey) {
        table.setPrimaryKey(List.of(0));
      }
      catalog.addSimpleTable(table);
      registered.add(t.path);
    }
    for (String dataset : datasets) {
      String path = dataset + ".INFORMATION_SCHEMA.TABLES";
      Type string = TypeFactory.createSimpleType(TypeKind.TYPE_STRING);
      SimpleTable table = new SimpleTable(path, List.of(
          new SimpleColumn(path, ROWID, TypeFactory.createSimpleType(TypeKind.TYPE_INT64), true, false),
          new SimpleColumn(path, "table_schema", string), new SimpleColumn(path, "table_name", string),
          new SimpleColumn(path, "table_type", string)));
      catalog.addSimpleTable(table);
      registered.add(path);
    }
    return catalog;
  }

  private Map<String, TableContent> contents(Map<String, Table> view) {
    Map<String, TableContent> contents = new HashMap<>();
    for (Table t : view.values()) {
      List<List<Value>> rows = new ArrayList<>();
      t.rows.forEach((id, values) -> {
        List<Value> row = new ArrayList<>(values.length + 1);
        row.add(Value.createInt64Value(id));
        row.addAll(List.of(values));
        rows.add(row);
      });
      contents.put(t.path, TableContent.create(rows));
    }
    for (String dataset : datasets) {
      List<List<Value>> rows = new ArrayList<>();
      String prefix = dataset + ".";
      for (Map.Entry<String, Table> e : view.entrySet()) {
        if (e.getKey().startsWith(prefix) && e.getKey().indexOf('.', prefix.length()) < 0) {
          rows.add(List.of(Value.createInt64Value(rows.size()), Value.createStringValue(dataset.substring(dataset.indexOf('.') + 1)),
              Value.createStringValue(e.getValue().path.substring(prefix.length())), Value.createStringValue("BASE TABLE")));
        }
      }
      contents.put(dataset + ".INFORMATION_SCHEMA.TABLES", TableContent.create(rows));
    }
    return contents;
  }

  /** The statements of a script, cut where ZetaSQL's parser ends each. */
  private static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
    ParseResumeLocation location = new ParseResumeLocation(script);
    try {
      while (location.getBytePosition() < bytes.length
          && !new String(bytes, location.getBytePosition(), bytes.length - location.getBytePosition(),
              StandardCharsets.UTF_8).isBlank()) {
        int start = location.getBytePosition();
        Parser.parseNextStatement(location, LANGUAGE);
        int end = location.getBytePosition();
        String statement = new String(bytes, start, end - start, StandardCharsets.UTF_8).strip();
        if (statement.endsWith(";")) {
          statement = statement.substring(0, statement.length() - 1);
        }
        out.add(statement);
        if (end <= start) {
          break;
        }
      }
    } catch (RuntimeException e) {
      throw StandInException.invalid(message(e));
    }
    return out;
  }

  /** Positional {@code ?} parameters as named {@code @p1…} ones, with their values. */
  private static String nameParameters(String sql, JsonNode parameters, Map<String, Value> values) {
    StringBuilder out = new StringBuilder();
    int n = 0;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '`' || c == '"') {
        int j = i + 1;
        while (j < sql.length() && sql.charAt(j) != c) {
          j += sql.charAt(j) == '\\' ? 2 : 1;
        }
        out.append(sql, i, Math.min(j + 1, sql.length()));
        i = j;
      } else if (c == '?') {
        JsonNode p = parameters.get(n++);
        if (p == null) {
          throw StandInException.invalid("Query has more positional parameters than values (" + n + ")");
        }
        String name = "p" + n;
        values.put(name, parameter(p));
        out.append('@').append(name);
      } else {
        out.append(c);
      }
    }
    if (parameters != null && parameters.size() > n) {
      throw StandInException.invalid("Query has " + n + " positional parameters but " + parameters.size() + " values");
    }
    return out.toString();
  }

  private static Value parameter(JsonNode p) {
    String type = p.path("parameterType").path("type").asText();
    JsonNode value = p.path("parameterValue").path("value");
    Type t = restType(type);
    if (value.isMissingNode() || value.isNull()) {
      return Value.createNullValue(t);
    }
    return fromText(value.asText(), t);
  }

  private static Value fromJson(JsonNode node, Type type, int line, String column) {
    if (node == null || node.isNull()) {
      return Value.createNullValue(type);
    }
    try {
      if (type.getKind() == TypeKind.TYPE_BOOL && !node.isBoolean()) {
        throw new IllegalArgumentException("not a boolean");
      }
      return fromText(node.asText(), type);
    } catch (RuntimeException e) {
      throw new StandInException(400, "invalid", "Error while reading data, error message: JSON parsing error in row "
          + line + ": Could not convert value '" + node + "' to " + bigQueryType(type) + " for field " + column + " ("
          + e.getMessage() + ")");
    }
  }

  private static Value fromText(String text, Type type) {
    switch (type.getKind()) {
      case TYPE_STRING:
        return Value.createStringValue(text);
      case TYPE_INT64:
        return Value.createInt64Value(Long.parseLong(text));
      case TYPE_DOUBLE:
        return Value.createDoubleValue(text.equals("NaN") ? Double.NaN : text.equals("Infinity") ? Double.POSITIVE_INFINITY
            : text.equals("-Infinity") ? Double.NEGATIVE_INFINITY : Double.parseDouble(text));
      case TYPE_BOOL:
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("not a boolean: " + text);
        }
        return Value.createBoolValue(Boolean.parseBoolean(text));
      case TYPE_DATE:
        return Value.createDateValue(LocalDate.parse(text));
      case TYPE_TIMESTAMP: {
        OffsetDateTime t = OffsetDateTime.parse(text.trim().replace(' ', 'T').replace("UTC", "+00:00"));
        Instant instant = t.toInstant();
        return Value.createTimestampValueFromUnixMicros(
            Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000));
      }
      case TYPE_NUMERIC: {
        BigDecimal d = new BigDecimal(text);
        if (d.scale() > 9 || d.precision() - d.scale() > 29) {
          throw new IllegalArgumentException("Invalid NUMERIC value: " + text);
        }
        return Value.createNumericValue(d);
      }
      default:
        throw new IllegalArgumentException("no value of type " + type);
    }
  }

  private static Type restType(String name) {
    switch (name.toUpperCase(Locale.ROOT)) {
      case "STRING": return TypeFactory.createSimpleType(TypeKind.TYPE_STRING);
      case "INTEGER": case "INT64": return TypeFactory.createSimpleType(TypeKind.TYPE_INT64);
      case "FLOAT": case "FLOAT64": return TypeFactory.createSimpleType(TypeKind.TYPE_DOUBLE);
      case "BOOLEAN": case "BOOL": return TypeFactory.createSimpleType(TypeKind.TYPE_BOOL);
      case "DATE": return TypeFactory.createSimpleType(TypeKind.TYPE_DATE);
      case "TIMESTAMP": return TypeFactory.createSimpleType(TypeKind.TYPE_TIMESTAMP);
      case "NUMERIC": return TypeFactory.createSimpleType(TypeKind.TYPE_NUMERIC);
      default: throw new StandInException(400, "invalid", "The local BigQuery has no type " + name);
    }
  }

  static String bigQueryType(Type type) {
    switch (type.getKind()) {
      case TYPE_STRING: return "STRING";
      case TYPE_INT64: return "INTEGER";
      case TYPE_DOUBLE: return "FLOAT";
      case TYPE_BOOL: return "BOOLEAN";
      case TYPE_DATE: return "DATE";
      case TYPE_TIMESTAMP: return "TIMESTAMP";
      case TYPE_NUMERIC: return "NUMERIC";
      default: return "STRING";
    }
  }

  /** A value as the REST API's {@code f/v} rows give it; null for NULL. */
  static String restText(Value v, String type, boolean int64Timestamps) {
    if (v.isNull()) {
      return null;
    }
    switch (v.getType().getKind()) {
      case TYPE_STRING: return v.getStringValue();
      case TYPE_INT64: return Long.toString(v.getInt64Value());
      case TYPE_DOUBLE: return Double.toString(v.getDoubleValue());
      case TYPE_BOOL: return Boolean.toString(v.getBoolValue());
      case TYPE_DATE: return LocalDate.ofEpochDay(v.getDateValue()).toString();
      case TYPE_NUMERIC: return v.getNumericValue().toPlainString();
      case TYPE_TIMESTAMP: {
        long micros = v.getTimestampUnixMicros();
        return int64Timestamps ? Long.toString(micros)
            : new BigDecimal(micros).movePointLeft(6).toPlainString();
      }
      default: throw StandInException.invalid("The local BigQuery cannot return a " + v.getType().getKind());
    }
  }

  static Object javaValue(Value v) {
    if (v.isNull()) {
      return null;
    }
    switch (v.getType().getKind()) {
      case TYPE_STRING: return v.getStringValue();
      case TYPE_INT64: return v.getInt64Value();
      case TYPE_DOUBLE: return v.getDoubleValue();
      case TYPE_BOOL: return v.getBoolValue();
      case TYPE_DATE: return LocalDate.ofEpochDay(v.getDateValue());
      case TYPE_NUMERIC: return v.getNumericValue();
      case TYPE_TIMESTAMP: return Instant.EPOCH.plus(v.getTimestampUnixMicros(), ChronoUnit.MICROS);
      default: return "?" + v.getType().getKind();
    }
  }

  private static String key(String path) {
    return path.toLowerCase(Locale.ROOT);
  }

  private static String message(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
