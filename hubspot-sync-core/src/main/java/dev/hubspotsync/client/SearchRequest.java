package dev.hubspotsync.client;

import java.util.ArrayList;
import java.util.List;

/**
 * A CRM search: filter groups are ORed, filters inside a group ANDed; one sort; properties to return;
 * page size (≤ 200) and offset. Immutable; build with {@link #builder()}.
 */
public record SearchRequest(List<List<Filter>> filterGroups, String sortProperty, boolean descending,
    List<String> properties, int limit, int after) {

  /** One filter; {@code values} is for IN / NOT_IN, {@code highValue} for BETWEEN. */
  public record Filter(String propertyName, String operator, String value, String highValue, List<String> values) {
    public static Filter of(String property, String operator, String value) {
      return new Filter(property, operator, value, null, List.of());
    }

    public static Filter between(String property, String low, String high) {
      return new Filter(property, "BETWEEN", low, high, List.of());
    }
  }

  public SearchRequest {
    filterGroups = filterGroups.stream().map(List::copyOf).toList();
    properties = List.copyOf(properties);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The same request at another offset. */
  public SearchRequest withAfter(int offset) {
    return new SearchRequest(filterGroups, sortProperty, descending, properties, limit, offset);
  }

  /** The same request returning other properties. */
  public SearchRequest withProperties(List<String> names) {
    return new SearchRequest(filterGroups, sortProperty, descending, names, limit, after);
  }

  /** The same request with another page size. */
  public SearchRequest withLimit(int pageSize) {
    return new SearchRequest(filterGroups, sortProperty, descending, properties, pageSize, after);
  }

  /** Mutable builder, not thread-safe. */
  public static final class Builder {
    private final List<List<Filter>> groups = new ArrayList<>();
    private String sortProperty;
    private boolean descending;
    private final List<String> properties = new ArrayList<>();
    private int limit = 200;
    private int after;

    /** Adds a group whose filters must all match. */
    public Builder addFilterGroup(Filter... filters) {
      groups.add(List.of(filters));
      return this;
    }

    public Builder sortAscending(String property) {
      this.sortProperty = property;
      this.descending = false;
      return this;
    }

    public Builder sortDescending(String property) {
      this.sortProperty = property;
      this.descending = true;
      return this;
    }

    public Builder addProperties(List<String> names) {
      properties.addAll(names);
      return this;
    }

    public Builder limit(int pageSize) {
      this.limit = pageSize;
      return this;
    }

    public Builder after(int offset) {
      this.after = offset;
      return this;
    }

    public SearchRequest build() {
      return new SearchRequest(groups, sortProperty, descending, properties, limit, after);
    }
  }
}
