package dev.hubspotsync.sink;

/** A stream's position, as JSON the engine writes and reads; opaque to sinks. */
public record Checkpoint(String stream, String json) {}
