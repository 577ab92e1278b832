package dev.hubspotsync.benchmarks.torture;

import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.Portal;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The portal edits made between runs, drawn from a generator seeded by the scenario's seed and the
 * round, so a replay on a portal of the same spec makes exactly the same edits: updates (floats such
 * as {@code 0.5476861596107483} among them), a bulk update in one millisecond, link adds and removes,
 * archive, restore (also of records edited and archived in the round before), merge, hard delete,
 * creates, and a property added then retyped. Remembers the
 * ids that left the portal for good (merged away, hard-deleted): their warehouse rows must be
 * flagged archived. Not thread-safe; one per scenario.
 */
final class Mutator {
  static final String ROLLUP = "sync_associations_contacts_deals_label_count";
  /** Added as text in round 1, retyped to number half-way. */
  static final String LEVEL = "torture_level";
  /** Added as a number in round 2, retyped to text one round after {@link #LEVEL}. */
  static final String AMOUNT = "torture_amount";
  /** Floats a DECIMAL(38,9) column cannot hold exactly, and one more digits than a double prints. */
  private static final List<String> FLOATS = List.of("0.5476861596107483", "1.2000000000000002", "3.141592653589793",
      "1.0E-7", "123456.78901234567", "-0.1");
  private static final String[] WORDS = {"amber", "birch", "cobalt", "delta", "ember", "fjord", "garnet", "harbor",
      "iris", "juniper", "kestrel", "lagoon", "Müller", "O'Brien", "ñandú", "quote \"q\"", "semi;colon"};

  private final long seed;
  private final int rounds;
  private final int scale;
  private final Map<String, Set<Long>> gone = new HashMap<>();
  private final Map<String, Integer> counts = new LinkedHashMap<>();
  /** Records edited and then archived in the last round, restored in the next. */
  private final Map<String, List<Long>> editedThenArchived = new HashMap<>();

  Mutator(long seed, int records, int rounds) {
    this.seed = seed;
    this.rounds = rounds;
    this.scale = Math.max(1, records / 100);
  }

  /** Before the first run: the CDC-boost rollup that makes contacts→deals link edits incremental. */
  void setUp(Portal portal) {
    portal.addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
  }

  /** Ids merged away or hard-deleted so far, per object type. */
  Map<String, Set<Long>> gone() {
    return gone;
  }

  /** How many edits of each kind were made so far. */
  Map<String, Integer> counts() {
    return counts;
  }

  /** The edits before run {@code round} (1-based); the same round and seed always make the same edits. */
  void mutate(Portal portal, Supplier<PortalSnapshot> snapshot, int round) {
    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + round);
    PortalSnapshot before = snapshot.get();
    Map<String, List<Long>> live = new HashMap<>();
    for (String type : Torture.TYPES) {
      live.put(type, new ArrayList<>(portal.ids(type)));
    }
    // The same records are not both edited and removed in one round; removals come last.
    Set<String> touched = new HashSet<>();

    schema(portal, round, live.get("contacts"), live.get("companies"), r);
    for (String type : Torture.TYPES) {
      for (int i = 0; i < scale; i++) {
        long id = pick(live.get(type), r);
        portal.update(type, id, values(type, r, 1 + r.nextInt(3)));
        touched.add(type + id);
        count("update");
      }
    }
    if (r.nextInt(10) < 7) {
      List<Long> ids = sample(live.get("contacts"), Math.max(5, scale * 2), r);
      portal.bulkUpdate("contacts", ids, Map.of("jobtitle", "Bulk " + round, "nps_score", FLOATS.get(round % FLOATS.size())));
      count("bulk-updated records");
    }
    links(portal, before, live, r);
    for (int i = 0; i < Math.max(1, scale / 10); i++) {
      long contact = portal.create("contacts", values("contacts", r, 3));
      long deal = portal.create("deals", values("deals", r, 2));
      portal.associate("contacts", contact, "deals", deal);
      portal.associate("contacts", contact, "companies", pick(live.get("companies"), r));
      count("create");
    }
    Map<String, List<Long>> bins = new HashMap<>();
    for (String type : Torture.TYPES) {
      List<Long> bin = new ArrayList<>(before.archived(type).stream().map(RecordSnapshot::id).toList());
      bins.put(type, bin);
      for (long id : editedThenArchived.getOrDefault(type, List.of())) {
        if (bin.remove(Long.valueOf(id))) {
          portal.restore(type, id);
          count("restore of an edited record");
        }
      }
      editedThenArchived.remove(type);
      for (int i = 0; i < Math.max(1, scale / 10) && !bin.isEmpty(); i++) {
        long restored = bin.remove(r.nextInt(bin.size()));
        portal.restore(type, restored);
        count("restore");
      }
    }
    for (String type : Torture.TYPES) {
      List<Long> ids = live.get(type);
      for (int i = 0; i < Math.max(1, scale / 10); i++) {
        long id = pickUntouched(ids, touched, type, r);
        portal.archive(type, id);
        ids.remove(Long.valueOf(id));
        count("archive");
      }
      for (int i = 0; i < Math.max(1, scale / 20); i++) {
        // Edited and archived before one run, restored before the next: neither moves it into a window.
        long id = pickUntouched(ids, touched, type, r);
        portal.update(type, id, values(type, r, 2));
        portal.archive(type, id);
        ids.remove(Long.valueOf(id));
        editedThenArchived.computeIfAbsent(type, t -> new ArrayList<>()).add(id);
        count("edit then archive");
      }
      for (int i = 0; i < Math.max(1, scale / 20); i++) {
        long primary = pickUntouched(ids, touched, type, r);
        long merged = pickUntouched(ids, touched, type, r);
        if (primary == merged) {
          continue;
        }
        portal.merge(type, primary, merged);
        ids.remove(Long.valueOf(merged));
        touched.add(type + primary);
        gone.computeIfAbsent(type, t -> new TreeSet<>()).add(merged);
        count("merge");
      }
      for (int i = 0; i < Math.max(1, scale / 20); i++) {
        long id = pickUntouched(ids, touched, type, r);
        portal.hardDelete(type, id);
        ids.remove(Long.valueOf(id));
        gone.computeIfAbsent(type, t -> new TreeSet<>()).add(id);
        count("hard delete");
      }
    }
    if (round % 3 == 0) {
      // A record of the recycle bin deleted for good: its row stays, flagged archived.
      List<Long> bin = bins.get("deals");
      if (!bin.isEmpty()) {
        long id = bin.remove(r.nextInt(bin.size()));
        portal.hardDelete("deals", id);
        gone.computeIfAbsent("deals", t -> new TreeSet<>()).add(id);
        count("hard delete from bin");
      }
    }
  }

  /** Property added (round 1 and 2), then retyped half-way: text to number, number to text. */
  private void schema(Portal portal, int round, List<Long> contacts, List<Long> companies, SplittableRandom r) {
    int retype = Math.max(3, rounds / 2);
    if (round == 1) {
      portal.addProperty("contacts", LEVEL, "Torture level", "string", "text");
      count("property added");
    }
    if (round == 2) {
      portal.addProperty("companies", AMOUNT, "Torture amount", "number", "number");
      count("property added");
    }
    if (round == retype) {
      portal.changePropertyType("contacts", LEVEL, "number", "number");
      count("property retyped");
    }
    if (round == retype + 1) {
      portal.changePropertyType("companies", AMOUNT, "string", "text");
      count("property retyped");
    }
    if (round >= 1) {
      boolean number = round >= retype;
      for (long id : sample(contacts, scale, r)) {
        portal.update("contacts", id, Map.of(LEVEL, number ? floatValue(r) : "level " + word(r)));
      }
    }
    if (round >= 2) {
      boolean text = round >= retype + 1;
      for (long id : sample(companies, Math.max(1, scale / 4), r)) {
        portal.update("companies", id, Map.of(AMOUNT, text ? (r.nextBoolean() ? "n/a" : "high") : floatValue(r)));
      }
    }
  }

  /** Adds and removes links of both synced pairs; removals among the links the portal had before the round. */
  private void links(Portal portal, PortalSnapshot before, Map<String, List<Long>> live, SplittableRandom r) {
    for (String to : List.of("companies", "deals")) {
      for (int i = 0; i < Math.max(1, scale / 2); i++) {
        portal.associate("contacts", pick(live.get("contacts"), r), to, pick(live.get(to), r));
        count("link add");
      }
      List<AssociationSnapshot> links = before.associations("contacts", to);
      for (int i = 0; i < Math.max(1, scale / 2) && !links.isEmpty(); i++) {
        AssociationSnapshot link = links.get(r.nextInt(links.size()));
        portal.dissociate("contacts", link.fromId(), to, link.toId());
        count("link remove");
      }
    }
  }

  /** 1–3 typed values for a record of {@code type}: text, floats and integers, dates, datetimes, booleans, clears. */
  private static Map<String, String> values(String type, SplittableRandom r, int n) {
    List<Map.Entry<String, String>> candidates = new ArrayList<>();
    switch (type) {
      case "contacts":
        candidates.add(Map.entry("firstname", capital(word(r))));
        candidates.add(Map.entry("city", word(r) + " " + word(r)));
        candidates.add(Map.entry("nps_score", floatValue(r)));
        candidates.add(Map.entry("hs_analytics_num_visits", Integer.toString(r.nextInt(1000))));
        candidates.add(Map.entry("renewal_date", date(r)));
        candidates.add(Map.entry("last_demo_at", datetime(r)));
        candidates.add(Map.entry("is_vip", r.nextBoolean() ? "true" : "false"));
        candidates.add(Map.entry("favorite_color", r.nextInt(5) == 0 ? "" : word(r)));
        break;
      case "companies":
        candidates.add(Map.entry("name", capital(word(r)) + " " + capital(word(r))));
        candidates.add(Map.entry("churn_risk", floatValue(r)));
        candidates.add(Map.entry("annualrevenue", r.nextBoolean() ? floatValue(r) : Integer.toString(r.nextInt(1_000_000))));
        candidates.add(Map.entry("contract_start", date(r)));
        candidates.add(Map.entry("last_qbr_at", datetime(r)));
        break;
      default:
        candidates.add(Map.entry("dealname", capital(word(r)) + " deal"));
        candidates.add(Map.entry("amount", floatValue(r)));
        candidates.add(Map.entry("discount_pct", floatValue(r)));
        candidates.add(Map.entry("signed_date", date(r)));
        candidates.add(Map.entry("closedate", datetime(r)));
        break;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      Map.Entry<String, String> e = candidates.get(r.nextInt(candidates.size()));
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private static String floatValue(SplittableRandom r) {
    switch (r.nextInt(4)) {
      case 0: return FLOATS.get(r.nextInt(FLOATS.size()));
      case 1: return Double.toString(r.nextDouble());
      case 2: return Integer.toString(r.nextInt(100_000));
      default: return Double.toString(r.nextDouble() * 1_000_000);
    }
  }

  private static String date(SplittableRandom r) {
    return LocalDate.of(2020, 1, 1).plusDays(r.nextInt(3000)).toString();
  }

  private static String datetime(SplittableRandom r) {
    Instant when = LocalDate.of(2024, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant().plusMillis(r.nextLong(90L * 86_400_000L));
    return r.nextBoolean() ? when.toString() : Long.toString(when.toEpochMilli());
  }

  private static String word(SplittableRandom r) {
    return WORDS[r.nextInt(WORDS.length)];
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static long pick(List<Long> ids, SplittableRandom r) {
    return ids.get(r.nextInt(ids.size()));
  }

  private static long pickUntouched(List<Long> ids, Set<String> touched, String type, SplittableRandom r) {
    for (int attempt = 0; attempt < 20; attempt++) {
      long id = pick(ids, r);
      if (!touched.contains(type + id)) {
        touched.add(type + id);
        return id;
      }
    }
    return pick(ids, r);
  }

  private static List<Long> sample(List<Long> ids, int n, SplittableRandom r) {
    Set<Long> out = new TreeSet<>();
    for (int i = 0; i < n * 3 && out.size() < Math.min(n, ids.size()); i++) {
      out.add(pick(ids, r));
    }
    return new ArrayList<>(out);
  }

  private void count(String kind) {
    counts.merge(kind, 1, Integer::sum);
  }
}
