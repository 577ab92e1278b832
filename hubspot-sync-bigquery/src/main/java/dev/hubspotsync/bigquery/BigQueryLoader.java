package dev.hubspotsync.bigquery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.cloud.bigquery.BigQueryException;
import com.google.cloud.bigquery.Field;
import com.google.cloud.bigquery.FormatOptions;
import com.google.cloud.bigquery.JobInfo;
import com.google.cloud.bigquery.Schema;
import com.google.cloud.bigquery.StandardSQLTypeName;
import com.google.cloud.bigquery.StandardTableDefinition;
import com.google.cloud.bigquery.TableId;
import com.google.cloud.bigquery.TableInfo;
import com.google.cloud.bigquery.WriteChannelConfiguration;
import dev.hubspotsync.batch.Column;
import dev.hubspotsync.batch.ColumnType;
import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import dev.hubspotsync.sql.Sql;
import dev.hubspotsync.sql.SqlLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;

/**
 * Stages rows in BigQuery with load jobs of newline-delimited JSON into a staging table of their
 * own, created with an expiration (so a crash leaves nothing behind for long) and dropped when the
 * unit of work ends. Load jobs cost nothing and count no DML; the merge then reads the stage. Every
 * value a {@link RecordBatch} holds is stored as it is ({@code valuesCleaned} is 0). Thread-safe.
 */
final class BigQueryLoader implements SqlLoader<BigQueryUnit> {
  /** The column of a coalesced stage that orders batches: later loads win ties. */
  static final String LOAD_ORDER = "_hubspot_sync_load";
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS")
      .withZone(ZoneOffset.UTC);
  private static final List<String> LINK_COLUMNS = List.of("from_id", "to_id", "association_type_id",
      "association_category", "association_label", "_synced_at");

  private static final Schema LINK_SCHEMA = Schema.of(field("from_id", StandardSQLTypeName.INT64),
      field("to_id", StandardSQLTypeName.INT64), field("association_type_id", StandardSQLTypeName.INT64),
      field("association_category", StandardSQLTypeName.STRING), field("association_label", StandardSQLTypeName.STRING),
      field("_synced_at", StandardSQLTypeName.TIMESTAMP));

  private final Map<Object, String> prestaged = Collections.synchronizedMap(new IdentityHashMap<>());
  private final String project;
  private final String dataset;
  private final String prefix;
  private final Duration expiration;
  private final Clock clock;

  BigQueryLoader(String project, String dataset, String prefix, Duration expiration, Clock clock) {
    this.project = project;
    this.dataset = dataset;
    this.prefix = prefix;
    this.expiration = expiration;
    this.clock = clock;
  }

  /**
   * Stages a batch now, before the unit of work that merges it begins: BigQuery's transactions read
   * a snapshot taken when they begin, and cannot create tables. Released by {@link #release}.
   */
  void prestage(BigQueryJobs jobs, Object batch) throws SQLException {
    String stage;
    if (batch instanceof RecordBatch records) {
      stage = newStage(jobs, schema(records.columns(), false));
      prestaged.put(batch, stage);
      load(jobs, stage, schema(records.columns(), false), rows(records, -1));
    } else {
      LinkBatch links = (LinkBatch) batch;
      stage = newStage(jobs, LINK_SCHEMA);
      prestaged.put(batch, stage);
      load(jobs, stage, LINK_SCHEMA, links(links));
    }
  }

  /** Drops the stage of a batch given to {@link #prestage}. */
  void release(BigQueryJobs jobs, Object batch) {
    String stage = prestaged.remove(batch);
    if (stage != null) {
      drop(jobs, stage);
    }
  }

  @Override
  public Staged stage(BigQueryUnit unit, RecordBatch batch) throws SQLException {
    String stage = prestaged.get(batch);
    if (stage == null) {
      String created = newStage(unit.jobs(), schema(batch.columns(), false));
      unit.afterEnd(() -> drop(unit.jobs(), created));
      load(unit.jobs(), created, schema(batch.columns(), false), rows(batch, -1));
      stage = created;
    }
    return Staged.of(qualified(stage), 0, () -> { });
  }

  @Override
  public void appendLinks(BigQueryUnit unit, LinkBatch batch, String table) throws SQLException {
    String stage = prestaged.get(batch);
    if (stage == null) {
      String created = newStage(unit.jobs(), LINK_SCHEMA);
      unit.afterEnd(() -> drop(unit.jobs(), created));
      load(unit.jobs(), created, LINK_SCHEMA, links(batch));
      stage = created;
    }
    String columns = String.join(", ", LINK_COLUMNS);
    unit.execute(Sql.of("INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM " + qualified(stage)));
  }

  private static byte[] links(LinkBatch batch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.setRootValueSeparator(null);
      String syncedAt = TIMESTAMP.format(batch.syncedAt()) + "+00:00";
      for (LinkRow link : batch.links()) {
        json.writeStartObject();
        json.writeStringField("from_id", Long.toString(link.fromId()));
        json.writeStringField("to_id", Long.toString(link.toId()));
        json.writeNumberField("association_type_id", link.typeId());
        json.writeStringField("association_category", link.category());
        json.writeStringField("association_label", link.label());
        json.writeStringField("_synced_at", syncedAt);
        json.writeEndObject();
        json.writeRaw('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A new, empty staging table with this schema and the configured expiration; its name. */
  String newStage(BigQueryJobs jobs, Schema schema) throws SQLException {
    String name = prefix + "_hubspot_sync_stage_" + UUID.randomUUID().toString().replace("-", "");
    try {
      jobs.client().create(TableInfo.newBuilder(TableId.of(project, dataset, name), StandardTableDefinition.of(schema))
          .setExpirationTime(clock.instant().plus(expiration).toEpochMilli()).build());
    } catch (BigQueryException e) {
      throw new SQLException("could not create staging table " + name + ": " + e.getMessage(), e.getReason(),
          e.getCode(), e);
    }
    return name;
  }

  /** Appends newline-delimited JSON rows to a table with a load job. */
  void load(BigQueryJobs jobs, String table, Schema schema, byte[] rows) throws SQLException {
    if (rows.length == 0) {
      return;
    }
    jobs.load(WriteChannelConfiguration.newBuilder(TableId.of(project, dataset, table))
        .setFormatOptions(FormatOptions.json()).setSchema(schema)
        .setWriteDisposition(JobInfo.WriteDisposition.WRITE_APPEND)
        .setCreateDisposition(JobInfo.CreateDisposition.CREATE_NEVER).build(), rows);
  }

  /** Drops a staging table; a failure leaves it to its expiration. */
  void drop(BigQueryJobs jobs, String table) {
    try {
      jobs.client().delete(TableId.of(project, dataset, table));
    } catch (BigQueryException e) {
      // It expires on its own.
    }
  }

  String qualified(String table) {
    return BigQueryDialect.backticks(project + "." + dataset + "." + table);
  }

  /** The stage's schema: the batch's columns (and the load order of a coalesced stage). */
  static Schema schema(List<Column> columns, boolean withLoadOrder) {
    List<Field> fields = new ArrayList<>();
    for (Column c : columns) {
      fields.add(field(c.name(), type(c.type())));
    }
    if (withLoadOrder) {
      fields.add(field(LOAD_ORDER, StandardSQLTypeName.INT64));
    }
    return Schema.of(fields);
  }

  private static Field field(String name, StandardSQLTypeName type) {
    return Field.newBuilder(name, type).setMode(Field.Mode.NULLABLE).build();
  }

  static StandardSQLTypeName type(ColumnType type) {
    switch (type) {
      case TEXT: return StandardSQLTypeName.STRING;
      case DOUBLE: return StandardSQLTypeName.FLOAT64;
      case DECIMAL: return StandardSQLTypeName.NUMERIC;
      case BOOLEAN: return StandardSQLTypeName.BOOL;
      case DATE: return StandardSQLTypeName.DATE;
      case TIMESTAMP: return StandardSQLTypeName.TIMESTAMP;
      case BIGINT: return StandardSQLTypeName.INT64;
      default: throw new IllegalArgumentException("no BigQuery type for " + type);
    }
  }

  /**
   * The batch's rows as newline-delimited JSON: integers and decimals as strings (exact beyond 2^53),
   * doubles in Java's shortest exact form, timestamps with microseconds in UTC.
   *
   * @param loadOrder the {@link #LOAD_ORDER} of every row, or -1 for none
   */
  static byte[] rows(RecordBatch batch, long loadOrder) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Column> columns = batch.columns();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.setRootValueSeparator(null);
      for (int row = 0; row < batch.rowCount(); row++) {
        json.writeStartObject();
        for (int c = 0; c < columns.size(); c++) {
          Object value = batch.value(row, c);
          if (value == null) {
            continue;
          }
          json.writeFieldName(columns.get(c).name());
          if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
              json.writeString(d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            } else {
              json.writeNumber(d);
            }
          } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
          } else if (value instanceof Instant t) {
            json.writeString(TIMESTAMP.format(t) + "+00:00");
          } else if (value instanceof BigDecimal d) {
            json.writeString(d.toPlainString());
          } else if (value instanceof LocalDate d) {
            json.writeString(d.toString());
          } else {
            json.writeString(value.toString());
          }
        }
        if (loadOrder >= 0) {
          json.writeStringField(LOAD_ORDER, Long.toString(loadOrder));
        }
        json.writeEndObject();
        json.writeRaw('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
