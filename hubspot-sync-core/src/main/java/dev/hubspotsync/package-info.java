/**
 * hubspot-sync: keeps a HubSpot portal's CRM data in a warehouse.
 *
 * <p>The public API (sync job, rate budget, sink SPI) arrives with the client and engine issues.
 */
package dev.hubspotsync;
