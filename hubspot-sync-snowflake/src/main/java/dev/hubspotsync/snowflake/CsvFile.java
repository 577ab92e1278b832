package dev.hubspotsync.snowflake;

import dev.hubspotsync.batch.RecordBatch;
import dev.hubspotsync.sink.LinkBatch;
import dev.hubspotsync.sink.LinkRow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * A gzip-compressed CSV file of rows for {@code COPY INTO}: no header, fields separated by commas,
 * text always in double quotes (inner quotes doubled), SQL null an empty unquoted field, so an empty
 * text ({@code ""}) stays distinct from null. Timestamps are UTC with six fractional digits
 * ({@link #TIMESTAMP_FORMAT}). NUL characters are removed from text and counted. Not thread-safe.
 */
final class CsvFile implements AutoCloseable {
  /** The Snowflake file format that reads these files; the {@code COPY} statements name it inline. */
  static final String FILE_FORMAT = "FILE_FORMAT = (TYPE = CSV COMPRESSION = GZIP FIELD_DELIMITER = ',' "
      + "FIELD_OPTIONALLY_ENCLOSED_BY = '\"' EMPTY_FIELD_AS_NULL = TRUE NULL_IF = () ESCAPE_UNENCLOSED_FIELD = NONE "
      + "SKIP_HEADER = 0 DATE_FORMAT = 'YYYY-MM-DD' TIMESTAMP_FORMAT = 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6TZH:TZM')";
  private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx")
      .withZone(ZoneOffset.UTC);

  private final Path path;
  private final Writer out;
  private int rows;
  private int cleaned;

  private CsvFile(Path path) throws IOException {
    this.path = path;
    this.out = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(path), 1 << 16),
        StandardCharsets.UTF_8), 1 << 16);
  }

  /** A new file in {@code directory} with a unique name. */
  static CsvFile create(Path directory) throws IOException {
    return new CsvFile(directory.resolve(UUID.randomUUID() + ".csv.gz"));
  }

  /** The batch's rows, its columns in order. */
  static CsvFile of(Path directory, RecordBatch batch) throws IOException {
    return write(directory, file -> file.append(batch));
  }

  /**
   * Adds the batch's rows, its columns in order, to this file while it is open (a coalesced load
   * appends batch after batch, then {@link #finish()}es it); the values cleaned on the way.
   */
  int append(RecordBatch batch) throws IOException {
    int before = cleaned;
    int columns = batch.columns().size();
    for (int row = 0; row < batch.rowCount(); row++) {
      for (int column = 0; column < columns; column++) {
        field(column, batch.value(row, column));
      }
      endRow();
    }
    return cleaned - before;
  }

  /** Ends the writing: the file is complete and can be {@code PUT}. */
  void finish() throws IOException {
    out.close();
  }

  /** The links' rows: from_id, to_id, association_type_id, association_category, association_label, _synced_at. */
  static CsvFile of(Path directory, LinkBatch batch) throws IOException {
    return write(directory, file -> {
      for (LinkRow link : batch.links()) {
        file.field(0, link.fromId());
        file.field(1, link.toId());
        file.field(2, (long) link.typeId());
        file.field(3, link.category());
        file.field(4, link.label());
        file.field(5, batch.syncedAt());
        file.endRow();
      }
    });
  }

  private interface Rows {
    void writeTo(CsvFile file) throws IOException;
  }

  private static CsvFile write(Path directory, Rows rows) throws IOException {
    CsvFile file = create(directory);
    try {
      rows.writeTo(file);
      file.finish();
      return file;
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  Path path() {
    return path;
  }

  int rows() {
    return rows;
  }

  /** Text values whose NUL characters were removed. */
  int cleaned() {
    return cleaned;
  }

  private void field(int column, Object value) throws IOException {
    if (column > 0) {
      out.write(',');
    }
    if (value == null) {
      return;
    }
    if (value instanceof String text) {
      out.write('"');
      String kept = text.indexOf('\0') >= 0 ? clean(text) : text;
      out.write(kept.replace("\"", "\"\""));
      out.write('"');
    } else if (value instanceof Instant instant) {
      out.write(TIMESTAMP.format(instant));
    } else if (value instanceof BigDecimal decimal) {
      out.write(decimal.toPlainString());
    } else if (value instanceof Boolean bool) {
      out.write(bool ? "TRUE" : "FALSE");
    } else if (value instanceof Double || value instanceof Long || value instanceof LocalDate) {
      out.write(value.toString());
    } else {
      throw new IllegalArgumentException("No CSV form for " + value.getClass().getName());
    }
  }

  private String clean(String text) {
    cleaned++;
    return text.replace("\0", "");
  }

  private void endRow() throws IOException {
    out.write('\n');
    rows++;
  }

  /** Deletes the file. */
  @Override
  public void close() {
    try {
      out.close();
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete the load file " + path, e);
    }
  }
}
