package dev.hubspotsync.sink;

/**
 * A sink whose {@link WarehouseSink#write} commits the rows and the checkpoint in one transaction:
 * after a crash, either both are there or neither.
 */
public interface SupportsTransactions {}
