package dev.hubspotsync.client;

import java.util.List;

/**
 * A property definition from the properties API. {@code type} is HubSpot's ({@code string},
 * {@code number}, {@code date}, {@code datetime}, {@code enumeration}, {@code bool},
 * {@code phone_number}, …); {@code options} are the enumeration values.
 */
public record PropertyDefinition(String name, String label, String type, String fieldType, String groupName,
    boolean calculated, boolean hubspotDefined, boolean hasUniqueValue, boolean archived, List<String> options) {}
