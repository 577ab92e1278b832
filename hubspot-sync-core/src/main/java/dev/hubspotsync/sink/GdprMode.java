package dev.hubspotsync.sink;

/**
 * What a sink does with the rows of records HubSpot GDPR-deleted ({@link WarehouseSink#erase}).
 * Either way the record's links are removed from every link table of its type.
 */
public enum GdprMode {
  /** The row is deleted. The default. */
  ERASE,
  /**
   * The row stays with its property columns and {@code _hs_unparsed} nulled, marked archived, and
   * {@code _hs_gdpr_deleted_at} set (a column the sink adds when it first needs it): counts and
   * dates stay, the personal data goes.
   */
  NULL_OUT
}
