package dev.hubspotsync.testkit.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Fills a new portal with records and associations, deterministically from the seed. Values are
 * serialized as HubSpot serves them (hubspot-api.md §5): numbers as decimal strings, dates
 * {@code YYYY-MM-DD}, datetimes ISO with 0–3 fraction digits or epoch-ms for some calculated ones,
 * multi-select {@code a;b}, bools {@code "true"}/{@code "false"}; some values null, a few {@code ""}.
 */
final class DataGenerator {
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final String[] FIRST = {"Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Goran", "Hana",
      "Ines", "Jun", "Kwame", "Lea", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma",
      "Viktor", "Wen", "Ximena", "Yusuf", "Zoë"};
  private static final String[] LAST = {"Adeyemi", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García",
      "Hughes", "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Patel", "Quispe",
      "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Wójcik", "Xu", "Yilmaz", "Zhang"};
  private static final String[] WORDS = {"alpha", "harbor", "quantum", "ember", "cobalt", "lumen", "north",
      "atlas", "vertex", "nimbus", "orchid", "pioneer", "summit", "tidal", "zenith", "granite", "meridian"};
  private static final String[] CITIES = {"Boston", "Berlin", "São Paulo", "Lagos", "Tokyo", "Toronto",
      "Kraków", "Dublin", "Pune", "Zürich"};
  private static final String[] COUNTRIES = {"United States", "Germany", "Brazil", "Nigeria", "Japan", "Canada",
      "Poland", "Ireland", "India", "Switzerland"};

  private final PortalState portal;
  private final SplittableRandom random;

  DataGenerator(PortalState portal, long seed) {
    this.portal = portal;
    this.random = new SplittableRandom(seed);
  }

  /** First id of a type: contacts straddle the int32 boundary, the rest sit beyond it (§9). */
  static long idBase(String type) {
    switch (type) {
      case "contacts": return 2_147_483_000L;
      case "companies": return 5_790_939_000L;
      case "deals": return 9_000_000_000L;
      case "tickets": return 1_500_000_000L;
      case "calls": return 40_000_000_000L;
      default: return 12_000_000_000L;
    }
  }

  static int idGap(String type) {
    switch (type) {
      case "contacts": return 40;
      case "tickets": return 100;
      case "deals": return 500;
      default: return 1000;
    }
  }

  void generate(long now) {
    // An import that stamped 3 % of records with one millisecond (§2: equal timestamps happen).
    long importedAt = now - 30 * DAY + 123;
    for (ObjectTypeDef t : portal.types()) {
      int n = portal.spec.count(t.name);
      List<PropertyDef> props = new ArrayList<>();
      for (PropertyDef def : t.properties.values()) {
        if (def.source() == PropertyDef.Source.STORED && !def.name().equals("hs_merged_object_ids")) {
          props.add(def);
        }
      }
      long id = idBase(t.name);
      for (int i = 0; i < n; i++) {
        id += 1 + random.nextInt(idGap(t.name));
        long created = now - 730 * DAY + (long) (random.nextDouble() * 729 * DAY);
        long updated = created + (long) (random.nextDouble() * (now - created - 60_000));
        if (random.nextInt(100) < 3 && created < importedAt) {
          updated = importedAt;
        }
        String[] values = new String[t.nextSlot];
        for (PropertyDef def : props) {
          values[def.slot()] = value(t, def, i, created);
        }
        portal.insert(t, id, new RecordState(created, updated, 0, values), Long.MIN_VALUE);
      }
    }
    associate();
  }

  private String value(ObjectTypeDef t, PropertyDef def, int i, long created) {
    String first = FIRST[(i * 7 + 3) % FIRST.length];
    String last = LAST[(i * 11 + 5) % LAST.length];
    switch (def.name()) {
      case "email":
        return (first + "." + last + "." + i + "@example-" + (i % 97) + ".com").toLowerCase(Locale.ROOT)
            .replace("'", "").replace("é", "e").replace("ë", "e").replace("ü", "u").replace("ó", "o");
      case "firstname": return first;
      case "lastname": return last;
      case "name": return capital(word()) + " " + capital(word()) + " " + (i % 3 == 0 ? "GmbH" : "Inc.");
      case "domain": return word() + "-" + i + ".example.com";
      case "dealname": return capital(word()) + " renewal " + i;
      case "subject": return "Ticket #" + (1000 + i) + ": " + word() + " " + word();
      case "plan_name": return capital(word()) + " plan";
      case "city": return CITIES[random.nextInt(CITIES.length)];
      case "country": return COUNTRIES[random.nextInt(COUNTRIES.length)];
      case "pipeline": return "default";
      case "hs_pipeline": return "0";
      default: break;
    }
    int roll = random.nextInt(100);
    if (roll < 15) {
      return null;
    }
    if (roll == 15 && "string".equals(def.type())) {
      return ""; // a cleared value comes back as "" (§1)
    }
    switch (def.type()) {
      case "number":
        switch (random.nextInt(3)) {
          case 0: return Integer.toString(random.nextInt(10_000));
          case 1: return BigDecimal.valueOf(random.nextInt(1_000_000), 2).toPlainString();
          default: return "0.0";
        }
      case "date":
        return Values.isoDate(created - random.nextInt(3000) * DAY);
      case "datetime": {
        long when = created + (long) (random.nextDouble() * 200 * DAY);
        return def.epochMillisFormat() ? Long.toString(when) : Values.isoMillis(when);
      }
      case "bool":
        return random.nextBoolean() ? "true" : "false";
      case "phone_number":
        return "+1 617-555-" + String.format(Locale.ROOT, "%04d", random.nextInt(10_000));
      case "enumeration": {
        var options = def.options();
        if (options.isEmpty()) {
          return null;
        }
        if (!def.multiSelect()) {
          return options.get(random.nextInt(options.size())).value();
        }
        StringBuilder sb = new StringBuilder();
        for (var o : options) {
          if (random.nextInt(3) == 0) {
            sb.append(sb.length() == 0 ? "" : ";").append(o.value());
          }
        }
        return sb.length() == 0 ? null : sb.toString();
      }
      default: // string, phone numbers as strings
        if ("phonenumber".equals(def.fieldType())) {
          return "+49 30 " + (1_000_000 + random.nextInt(9_000_000));
        }
        if ("textarea".equals(def.fieldType()) || "html".equals(def.fieldType())) {
          return capital(word()) + " " + word() + " " + word() + ".\nFollow-up: " + word() + " \"" + word() + "\"";
        }
        return capital(word()) + " " + word();
    }
  }

  private void associate() {
    long[] contacts = ids("contacts");
    long[] companies = ids("companies");
    long[] deals = ids("deals");
    long[] tickets = ids("tickets");
    long[] calls = ids("calls");
    long[] subs = ids("subscriptions");
    AssociationStore a = portal.associations;
    if (companies.length > 0) {
      for (long c : contacts) {
        if (random.nextInt(100) < 85) {
          a.add("contacts", c, "companies", company(companies), 1); // primary
          if (random.nextInt(100) < 10) {
            a.add("contacts", c, "companies", company(companies), random.nextBoolean() ? 279 : 143);
          }
        }
      }
      for (long d : deals) {
        if (random.nextInt(100) < 90) {
          a.add("deals", d, "companies", pick(companies), 5);
        }
      }
      for (long t : tickets) {
        if (random.nextBoolean()) {
          a.add("tickets", t, "companies", pick(companies), 26);
        }
      }
      for (long s : subs) {
        a.add("subscriptions", s, "companies", pick(companies), 99);
      }
    }
    if (contacts.length > 0) {
      for (long d : deals) {
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
          a.add("deals", d, "contacts", pick(contacts), i == 0 && random.nextInt(4) == 0 ? 145 : 3);
        }
      }
      for (long t : tickets) {
        a.add("tickets", t, "contacts", pick(contacts), 16);
      }
      for (long c : calls) {
        a.add("calls", c, "contacts", pick(contacts), 194);
      }
      for (long s : subs) {
        a.add("subscriptions", s, "contacts", pick(contacts), 97);
      }
    }
    if (deals.length > 0) {
      for (long c : calls) {
        if (random.nextInt(100) < 30) {
          a.add("calls", c, "deals", pick(deals), 206);
        }
      }
    }
  }

  /** One company in ten gets the first company, so it collects hundreds of contacts (per-record paging). */
  private long company(long[] companies) {
    return random.nextInt(10) == 0 ? companies[0] : pick(companies);
  }

  private long pick(long[] ids) {
    return ids[random.nextInt(ids.length)];
  }

  private long[] ids(String type) {
    return portal.types.get(type).records.keySet().stream().mapToLong(Long::longValue).toArray();
  }

  private String word() {
    return WORDS[random.nextInt(WORDS.length)];
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
