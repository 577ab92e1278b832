package dev.hubspotsync.client;

import dev.hubspotsync.HubSpotApiException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * HubSpot's standard CRM objects as of 2026, by API name and objectTypeId: the one list the library
 * and the CLI use (hubspot-api.md §10.5, developers.hubspot.com "using object APIs").
 *
 * <p>Four objects are <em>activatable</em>: an account switches them on in its object library
 * (services, courses, listings, appointments); while off, HubSpot answers 403 on their paths, and
 * {@code GET /crm/object-library/2026-03/enablement} says which are on.
 *
 * <p>Custom objects are not listed: they have {@code 2-…} ids and are addressed by that id (or by
 * their fully qualified name {@code p<portal>_<name>}), never by their short name, which may equal a
 * standard object's (a custom object named {@code subscriptions} and HubSpot's commerce
 * subscriptions, {@code 0-69}). When a portal has such a custom object, {@link #selectAll} names the
 * standard object by its objectTypeId so the two never mix.
 *
 * <p>Static, immutable and thread-safe.
 */
public final class ObjectCatalog {
  private static final Pattern CUSTOM_ID = Pattern.compile("2-\\d+|p\\d+_.+");

  /**
   * One standard object.
   *
   * @param name the plural API name used in paths and as the default table name ({@code line_items})
   * @param singular the singular name HubSpot also accepts ({@code line_item})
   * @param objectTypeId {@code 0-…}
   * @param activatable whether an account must switch it on in its object library
   */
  public record StandardObject(String name, String singular, String objectTypeId, boolean activatable) {}

  private static final List<StandardObject> STANDARD = List.of(
      standard("contacts", "contact", "0-1"),
      standard("companies", "company", "0-2"),
      standard("deals", "deal", "0-3"),
      standard("tickets", "ticket", "0-5"),
      standard("products", "product", "0-7"),
      standard("line_items", "line_item", "0-8"),
      standard("quotes", "quote", "0-14"),
      standard("communications", "communication", "0-18"),
      standard("feedback_submissions", "feedback_submission", "0-19"),
      standard("tasks", "task", "0-27"),
      standard("notes", "note", "0-46"),
      standard("meetings", "meeting", "0-47"),
      standard("calls", "call", "0-48"),
      standard("emails", "email", "0-49"),
      standard("invoices", "invoice", "0-53"),
      standard("marketing_events", "marketing_event", "0-54"),
      standard("subscriptions", "subscription", "0-69"),
      standard("goal_targets", "goal_target", "0-74"),
      standard("discounts", "discount", "0-84"),
      standard("fees", "fee", "0-85"),
      standard("taxes", "tax", "0-86"),
      standard("commerce_payments", "commerce_payment", "0-101"),
      standard("users", "user", "0-115"),
      standard("postal_mail", "postal_mail", "0-116"),
      standard("orders", "order", "0-123"),
      standard("leads", "lead", "0-136"),
      standard("carts", "cart", "0-142"),
      new StandardObject("services", "service", "0-162", true),
      new StandardObject("courses", "course", "0-410", true),
      new StandardObject("listings", "listing", "0-420", true),
      new StandardObject("appointments", "appointment", "0-421", true),
      standard("projects", "project", "0-970"));

  private static final Map<String, StandardObject> BY_KEY = index();

  private ObjectCatalog() {}

  private static StandardObject standard(String name, String singular, String id) {
    return new StandardObject(name, singular, id, false);
  }

  private static Map<String, StandardObject> index() {
    Map<String, StandardObject> out = new HashMap<>();
    for (StandardObject o : STANDARD) {
      out.put(o.name(), o);
      out.put(o.singular(), o);
      out.put(o.objectTypeId(), o);
    }
    out.put("payments", out.get("commerce_payments")); // the name HubSpot's guides use
    return Collections.unmodifiableMap(out);
  }

  /** Every standard object, in objectTypeId order. */
  public static List<StandardObject> standardObjects() {
    return STANDARD;
  }

  /** The standard object a name, singular name or {@code 0-…} id denotes (case-insensitive), if any. */
  public static Optional<StandardObject> find(String type) {
    return type == null ? Optional.empty() : Optional.ofNullable(BY_KEY.get(type.toLowerCase(Locale.ROOT)));
  }

  /** Whether {@code type} names a standard object, or has the form of a custom object's id ({@code 2-…}, {@code p<portal>_<name>}). */
  public static boolean knownWithoutPortal(String type) {
    return find(type).isPresent() || CUSTOM_ID.matcher(type).matches();
  }

  /** What {@code objects: all} covers in one portal, and what it left out and why. */
  public record Selection(List<String> objectTypes, List<String> notes) {
    public Selection {
      objectTypes = List.copyOf(objectTypes);
      notes = List.copyOf(notes);
    }
  }

  /** {@link #selectAll(HubSpotClient, Function)} reading properties straight from the client. */
  public static Selection selectAll(HubSpotClient client) {
    return selectAll(client, type -> client.properties(type, false));
  }

  /**
   * The object types {@code objects: all} syncs in this portal: every standard object the portal
   * serves, the activatable ones only where its object library switches them on, then its custom
   * objects by {@code 2-…} id. Objects left out are named in {@code notes}:
   * <ul>
   *   <li>an activatable object switched off (no call to its paths, so no 403);</li>
   *   <li>a standard object whose properties call answers 403 (a scope the credential lacks, or an
   *       object the account does not have) or 404 (an object the portal does not know).</li>
   * </ul>
   * One enablement call, one schemas call, and one properties call per standard object (pass a
   * caching {@code properties} to reuse them). Other failures propagate.
   *
   * @param properties reads a type's live property definitions, e.g. a cache over
   *     {@code client.properties(type, false)}
   */
  public static Selection selectAll(HubSpotClient client, Function<String, List<PropertyDefinition>> properties) {
    List<String> notes = new ArrayList<>();
    Map<String, Boolean> enabled = enablement(client, notes);
    List<ObjectSchema> schemas = client.schemas();
    Set<String> customNames = new LinkedHashSet<>();
    for (ObjectSchema s : schemas) {
      customNames.add(s.name().toLowerCase(Locale.ROOT));
    }
    List<String> types = new ArrayList<>();
    for (StandardObject o : STANDARD) {
      if (o.activatable() && Boolean.FALSE.equals(enabled.get(o.objectTypeId()))) {
        notes.add(o.name() + " (" + o.objectTypeId() + ") skipped: switched off in the portal's object library; "
            + "switch it on in HubSpot (Settings › Objects) to sync it");
        continue;
      }
      // a custom object of the same short name would answer under the name: ask by id
      String type = customNames.contains(o.name()) || customNames.contains(o.singular()) ? o.objectTypeId() : o.name();
      try {
        properties.apply(type);
        types.add(type);
      } catch (HubSpotApiException e) {
        if (e.status() != 403 && e.status() != 404) {
          throw e;
        }
        notes.add(o.name() + " (" + o.objectTypeId() + ") skipped: HubSpot answered " + e.status()
            + (e.status() == 403 ? " (the credential lacks its read scope, or the account does not have it)"
                : " (the portal does not know it)")
            + "; name it in objects to see the error, or leave it out");
      }
    }
    schemas.forEach(s -> types.add(s.objectTypeId()));
    return new Selection(types, notes);
  }

  /** The object library's switches by objectTypeId; empty (every object tried) when the portal cannot tell. */
  private static Map<String, Boolean> enablement(HubSpotClient client, List<String> notes) {
    try {
      return client.objectLibraryEnablement();
    } catch (UnsupportedOperationException e) {
      return Map.of();
    } catch (HubSpotApiException e) {
      if (e.status() != 403 && e.status() != 404) {
        throw e;
      }
      notes.add("object library enablement unavailable (HubSpot answered " + e.status()
          + "); activatable objects were tried like the others");
      return Map.of();
    }
  }
}
