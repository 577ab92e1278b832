package dev.hubspotsync.testkit;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Changes a test makes to the simulated portal, with HubSpot's side effects (hubspot-api.md §4.4,
 * §8): an update bumps the modified date; an archive, a restore and an association edit do not
 * (unless a CDC-boost rollup exists, see {@link #associate}); search sees every change only after
 * the portal's index lag, while list and batch read see it at once. Every record and link change
 * writes the change journal's events for the subscriptions that ask for them ({@link PortalJournal}),
 * one journal file per call; property definition changes write none.
 *
 * <p>Object types are named as in API paths ({@code contacts}, {@code calls}, {@code subscriptions})
 * or by objectTypeId ({@code 0-1}, {@code 2-…}). Unknown types, ids or properties throw
 * {@link IllegalArgumentException} naming them. Thread-safe.
 */
public interface Portal {

  /** Creates a record (created and modified dates = now) and returns its id. */
  long create(String objectType, Map<String, String> properties);

  /** Sets properties ({@code null} or {@code ""} clears) and bumps the modified date to now. */
  void update(String objectType, long id, Map<String, String> properties);

  /**
   * Updates many records in one millisecond, as a HubSpot bulk import does: every record gets the same
   * modified date, which is returned (epoch ms).
   */
  long bulkUpdate(String objectType, Collection<Long> ids, Map<String, String> properties);

  /** Moves a record to the recycle bin: gone from list and search, listed under {@code archived=true}. */
  void archive(String objectType, long id);

  /** Takes a record out of the recycle bin. */
  void restore(String objectType, long id);

  /**
   * Merges {@code mergedId} into {@code primaryId}: the merged id disappears, its associations move to
   * the survivor, and the survivor's {@code hs_merged_object_ids} lists it. Bumps the survivor. Merges
   * chain as in HubSpot: the survivor's list also takes the ids the merged record had absorbed, and a
   * batch read or get of any absorbed id returns the final survivor.
   */
  void merge(String objectType, long primaryId, long mergedId);

  /**
   * Removes a record for good ("delete permanently", or 90 days after archive): gone from every
   * endpoint, links included. The journal gets DELETE and ASSOCIATION_REMOVED for its links.
   */
  void hardDelete(String objectType, long id);

  /**
   * A GDPR delete: removes the record for good as {@link #hardDelete} does; the journal also gets
   * GDPR_DELETE for a {@code GDPR_PRIVACY_DELETION} subscription of its type.
   */
  default void gdprDelete(String objectType, long id) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot GDPR-delete records");
  }

  /**
   * Links two records with the pair's unlabeled association type. Does not change either record's
   * modified date, unless type {@code a} of the pair (the two type names in alphabetical order)
   * has a property named or labelled {@code sync_associations_{a}_{b}_label_*}: such a rollup makes
   * the {@code a} record's modified date move (the "CDC boost").
   */
  void associate(String fromType, long fromId, String toType, long toId);

  /** Links two records with a specific association type id (plus the unlabeled one, as HubSpot does). */
  void associate(String fromType, long fromId, String toType, long toId, int associationTypeId);

  /** Removes every association type between two records. Same modified-date rule as {@link #associate}. */
  void dissociate(String fromType, long fromId, String toType, long toId);

  /**
   * Defines a custom property. {@code type} is a HubSpot property type ({@code string}, {@code number},
   * {@code date}, {@code datetime}, {@code enumeration}, {@code bool}, {@code phone_number}); options
   * are the enumeration's values.
   */
  void addProperty(String objectType, String name, String label, String type, String fieldType, String... options);

  /** Archives a property definition: it leaves the properties API and responses; values are kept. */
  void archiveProperty(String objectType, String name);

  /** Changes a property's type, keeping its stored values as they are. */
  void changePropertyType(String objectType, String name, String type, String fieldType);

  /** Ids of live records of a type, ascending. */
  List<Long> ids(String objectType);

  /** The objectTypeId of a type ({@code 0-1}, …, {@code 2-…}). */
  String objectTypeId(String objectType);
}
