package dev.hubspotsync.testkit.internal;

import java.util.Arrays;

/** One immutable version of a record. Values are indexed by {@link PropertyDef#slot()}. */
public final class RecordState {
  final long createdAt;
  final long updatedAt;
  final long archivedAt; // 0 while live
  final String[] values;
  // Formatted once on first use: list pages serve each timestamp twice per record (benign race).
  private String createdIso;
  private String updatedIso;
  /** The record's JSON for the last projection it was served with (states are immutable). */
  private Serialized serialized;

  record Serialized(PropertyDef[] projection, byte[] json) {}

  RecordState(long createdAt, long updatedAt, long archivedAt, String[] values) {
    this.createdAt = createdAt;
    this.updatedAt = updatedAt;
    this.archivedAt = archivedAt;
    this.values = values;
  }

  String createdIso() {
    String s = createdIso;
    if (s == null) {
      s = Values.isoMillis(createdAt);
      createdIso = s;
    }
    return s;
  }

  String updatedIso() {
    String s = updatedIso;
    if (s == null) {
      s = Values.isoMillis(updatedAt);
      updatedIso = s;
    }
    return s;
  }

  byte[] serialized(PropertyDef[] projection) {
    Serialized s = serialized;
    return s != null && s.projection() == projection ? s.json() : null;
  }

  void serialized(PropertyDef[] projection, byte[] json) {
    serialized = new Serialized(projection, json);
  }

  boolean archived() {
    return archivedAt > 0;
  }

  String value(int slot) {
    return slot < values.length ? values[slot] : null;
  }

  RecordState withValue(int slot, String value, long modifiedAt) {
    String[] copy = Arrays.copyOf(values, Math.max(values.length, slot + 1));
    copy[slot] = value;
    return new RecordState(createdAt, modifiedAt, archivedAt, copy);
  }

  RecordState withValues(String[] newValues, long modifiedAt) {
    return new RecordState(createdAt, modifiedAt, archivedAt, newValues);
  }

  RecordState archived(long when) {
    return new RecordState(createdAt, updatedAt, when, values);
  }

  RecordState restored() {
    return new RecordState(createdAt, updatedAt, 0, values);
  }
}
