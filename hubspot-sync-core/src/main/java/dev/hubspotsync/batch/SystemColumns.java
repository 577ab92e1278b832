package dev.hubspotsync.batch;

import java.util.List;

/**
 * The columns every object table has besides one per property (DESIGN.md, "Tables a sink writes").
 * Property columns never take these names.
 */
public final class SystemColumns {
  public static final String ID = "id";
  public static final String CREATED_AT = "_hs_created_at";
  public static final String UPDATED_AT = "_hs_updated_at";
  public static final String ARCHIVED = "_hs_archived";
  public static final String ARCHIVED_AT = "_hs_archived_at";
  /** JSON object of property → raw HubSpot text for values that did not parse as their column's type. */
  public static final String UNPARSED = "_hs_unparsed";
  public static final String SYNCED_AT = "_synced_at";
  public static final String RUN_ID = "_sync_run_id";
  /**
   * When HubSpot GDPR-deleted the record, on rows kept by {@link dev.hubspotsync.sink.GdprMode#NULL_OUT}.
   * Not in batches nor in {@link #ALL}: a sink adds it to a table when it first nulls out a row there.
   */
  public static final String GDPR_DELETED_AT = "_hs_gdpr_deleted_at";

  /** In table order. */
  public static final List<Column> ALL = List.of(
      new Column(ID, ColumnType.BIGINT, null),
      new Column(CREATED_AT, ColumnType.TIMESTAMP, null),
      new Column(UPDATED_AT, ColumnType.TIMESTAMP, null),
      new Column(ARCHIVED, ColumnType.BOOLEAN, null),
      new Column(ARCHIVED_AT, ColumnType.TIMESTAMP, null),
      new Column(UNPARSED, ColumnType.TEXT, null),
      new Column(SYNCED_AT, ColumnType.TIMESTAMP, null),
      new Column(RUN_ID, ColumnType.TEXT, null));

  private SystemColumns() {}

  /** Whether {@code column} is a system column's name ({@link #ALL}, or {@link #GDPR_DELETED_AT}). */
  public static boolean isSystem(String column) {
    return GDPR_DELETED_AT.equals(column) || ALL.stream().anyMatch(c -> c.name().equals(column));
  }
}
