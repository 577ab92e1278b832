package dev.hubspotsync.client;

import java.util.List;

/** A custom object's schema: {@code objectTypeId} ({@code 2-…}) is what object paths take. */
public record ObjectSchema(String objectTypeId, String name, String fullyQualifiedName, String singularLabel,
    String pluralLabel, String primaryDisplayProperty, List<PropertyDefinition> properties) {}
