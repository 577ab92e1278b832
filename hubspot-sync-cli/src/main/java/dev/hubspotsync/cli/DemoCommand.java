package dev.hubspotsync.cli;

import dev.hubspotsync.client.HubSpotCredentials;
import dev.hubspotsync.testkit.AssociationSnapshot;
import dev.hubspotsync.testkit.FakeHubSpot;
import dev.hubspotsync.testkit.PortalClock;
import dev.hubspotsync.testkit.PortalSnapshot;
import dev.hubspotsync.testkit.PortalSpec;
import dev.hubspotsync.testkit.RecordSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the whole product on one machine with no network. Starts a simulated portal
 * (FakeHubSpot) in this process, writes a config, backfills it into a DuckDB file with the same code
 * {@code sync} runs, edits the portal, syncs incrementally, and checks with plain SQL that every
 * edit arrived. Time is virtual (the portal's clock), so rate limits and search-index lag cost no
 * waiting. Exits 0 only if every check passed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Runs the main job on a simulated portal: backfill into a DuckDB file, edits, incremental sync,",
        "then checks the file with SQL. No network but 127.0.0.1; about a minute."})
final class DemoCommand implements Callable<Integer> {
  static final String ROLLUP = "sync_associations_contacts_deals_label_count";
  private static final String DB_FILE = "hubspot.duckdb";

  private final Context ctx;

  @Option(names = "--dir", paramLabel = "DIR", description = "where the config and the DuckDB file go (default: a new temporary folder)")
  Path dir;

  @Option(names = "--contacts", paramLabel = "N", description = "contacts in the portal (default ${DEFAULT-VALUE})")
  int contacts = 20_000;

  @Option(names = "--companies", paramLabel = "N", description = "companies (default ${DEFAULT-VALUE})")
  int companies = 5_000;

  @Option(names = "--deals", paramLabel = "N", description = "deals (default ${DEFAULT-VALUE})")
  int deals = 8_000;

  @Option(names = "--tickets", paramLabel = "N", description = "tickets (default ${DEFAULT-VALUE})")
  int tickets = 2_000;

  @Option(names = "--seed", paramLabel = "N", description = "the portal's data seed (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--verbose", description = "show the library's INFO logs on stderr too")
  boolean verbose;

  private PrintStream out;
  private int passed;
  private final List<String> failed = new ArrayList<>();

  DemoCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() throws IOException, SQLException {
    out = ctx.out();
    long started = System.nanoTime();
    Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("hubspot-sync-demo-");
    Path db = folder.resolve(DB_FILE);
    if (Files.exists(db)) {
      ctx.err().println("hubspot-sync: bad configuration: " + db + " already exists; give the demo an empty --dir");
      return ExitCode.BAD_CONFIGURATION.code();
    }
    int bulk = Math.min(300, deals / 2);
    if (contacts < 100 || deals < 20) {
      ctx.err().println("hubspot-sync: bad configuration: the demo needs at least 100 contacts and 20 deals");
      return ExitCode.BAD_CONFIGURATION.code();
    }

    // Virtual time begins two hours ago, so the runs it records lie in the past when it ends.
    PortalClock clock = PortalClock.fixed(Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS));
    long portalStart = System.nanoTime();
    try (FakeHubSpot hubspot = FakeHubSpot.start(PortalSpec.builder().seed(seed).contacts(contacts).companies(companies)
        .deals(deals).tickets(tickets).calls(0).subscriptions(0).clock(clock).sleeper(clock::advance).build())) {
      hubspot.portal().addProperty("contacts", ROLLUP, "Deals (for sync)", "number", "calculation_rollup");
      PortalSnapshot start = hubspot.snapshot();
      out.printf("hubspot-sync demo: a simulated HubSpot portal, a DuckDB file, edits, and SQL to check them.%n%n");
      out.printf("1. FakeHubSpot serves a portal on %s (started in %s): %s, %,d associations.%n", hubspot.baseUrl(),
          millis(portalStart), counts(start), start.associations().size() / 2);
      out.printf("   Virtual time: the portal's clock moves only when the rate budget or the demo waits, so limits cost no waiting.%n");
      out.printf("   Contacts carry the rollup %s, so contact-deal link edits bump the contact (the CDC boost).%n%n", ROLLUP);

      Path config = folder.resolve("sync.yaml");
      Files.writeString(config, String.join("\n",
          "# Written by hubspot-sync demo; the portal was a FakeHubSpot in the demo's process (gone now).",
          "portal:",
          "  baseUrl: " + hubspot.baseUrl(),
          "objects: [contacts, companies, deals, tickets]",
          "associations:",
          "  - contacts->companies",
          "  - {from: contacts, to: deals}",
          "sink:",
          "  type: duckdb",
          "  file: " + DB_FILE,
          ""));
      out.printf("2. Config %s:%n", config);
      Files.readAllLines(config).stream().filter(l -> !l.startsWith("#")).forEach(l -> out.println("     " + l));
      out.println();

      Context run = ctx.withTime(clock.asClock(), clock::advance)
          .withEnv(Map.of(HubSpotCredentials.ENV_ACCESS_TOKEN, hubspot.token()));
      SyncConfig loaded = SyncConfig.load(config, run.env());

      out.printf("3. Backfill: the same run as `hubspot-sync sync --config %s`%n", config);
      SyncRun.Result first = sync(loaded, run);
      if (first.failure() != null) {
        return first.exit().code();
      }
      PortalSnapshot afterBackfill = hubspot.snapshot();
      try (Connection sql = DriverManager.getConnection("jdbc:duckdb:" + db)) {
        for (String type : List.of("contacts", "companies", "deals", "tickets")) {
          long inWarehouse = count(sql, "SELECT count(*) FROM " + table(sql, type) + " WHERE NOT _hs_archived");
          check(inWarehouse == afterBackfill.live(type).size(), String.format("%,d %s in warehouse = %,d in portal",
              inWarehouse, type, afterBackfill.live(type).size()));
        }
        checkLinks(sql, afterBackfill, "contacts", "companies");
        checkLinks(sql, afterBackfill, "contacts", "deals");
      }
      out.println();

      // An hour later: the edits.
      clock.advance(Duration.ofMinutes(61));
      Instant editsAt = clock.now();
      List<Long> contactIds = hubspot.portal().ids("contacts");
      List<Long> dealIds = hubspot.portal().ids("deals");
      List<Long> renamed = contactIds.subList(10, 35);
      renamed.forEach(id -> hubspot.portal().update("contacts", id, Map.of("firstname", "Renamed-" + id)));
      hubspot.portal().addProperty("contacts", "favorite_snack", "Favorite snack", "enumeration", "select",
          "popcorn", "pretzels", "nachos");
      List<Long> snackers = contactIds.subList(40, 80);
      List<String> snacks = List.of("popcorn", "pretzels", "nachos");
      for (int i = 0; i < snackers.size(); i++) {
        hubspot.portal().update("contacts", snackers.get(i), Map.of("favorite_snack", snacks.get(i % 3)));
      }
      Set<List<Long>> existing = afterBackfill.associations("contacts", "deals").stream()
          .map(a -> List.of(a.fromId(), a.toId())).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
      List<List<Long>> unlinked = existing.stream().limit(5).toList();
      unlinked.forEach(l -> hubspot.portal().dissociate("contacts", l.get(0), "deals", l.get(1)));
      List<List<Long>> linked = new ArrayList<>();
      for (int i = 0; linked.size() < 10; i++) {
        List<Long> pair = List.of(contactIds.get(contactIds.size() - 1 - i), dealIds.get(i % dealIds.size()));
        if (!existing.contains(pair)) {
          hubspot.portal().associate("contacts", pair.get(0), "deals", pair.get(1));
          linked.add(pair);
        }
      }
      long archivedId = contactIds.get(5);
      hubspot.portal().archive("contacts", archivedId);
      List<Long> bulkIds = dealIds.subList(0, bulk);
      long bulkAt = hubspot.portal().bulkUpdate("deals", bulkIds, Map.of("dealname", "Renewal 2027"));
      clock.advance(Duration.ofMinutes(3)); // past the search index's lag (the job reads up to now - 2 min)
      out.printf("4. Edits in the portal, an hour later:%n");
      out.printf("   - firstname of %d contacts changed%n", renamed.size());
      out.printf("   - new property favorite_snack (a dropdown), set on %d contacts%n", snackers.size());
      out.printf("   - %d contact-deal links added, %d removed (no modified date moves, except through the rollup)%n",
          linked.size(), unlinked.size());
      out.printf("   - contact %d archived (archiving does not move its modified date)%n", archivedId);
      out.printf("   - a bulk import renamed %d deals, all in the same millisecond (%s)%n%n", bulk, Instant.ofEpochMilli(bulkAt));

      out.printf("5. Incremental sync: the same config, run again%n");
      SyncRun.Result second = sync(loaded, run);
      if (second.failure() != null) {
        return second.exit().code();
      }
      long firstCalls = SyncRun.sum(first.report().calls());
      long secondCalls = SyncRun.sum(second.report().calls());
      check(second.report().stream("contacts").mode().equals("incremental")
          && second.report().association("contacts", "deals").mode().equals("incremental"),
          "contacts and contacts_to_deals ran incrementally");
      PortalSnapshot end = hubspot.snapshot();
      long moved = end.live("contacts").stream().filter(r -> !r.updatedAt().isBefore(editsAt)).count();
      long read = second.report().stream("contacts").rowsRead();
      check(read >= moved && read < contacts, String.format("the incremental run read %,d contacts (%,d had a new modified "
          + "date) instead of %,d, with %,d calls instead of %,d", read, moved, contacts, secondCalls, firstCalls));
      out.println();

      out.printf("6. What the DuckDB file holds now (plain JDBC, jdbc:duckdb:%s):%n", db);
      try (Connection sql = DriverManager.getConnection("jdbc:duckdb:" + db)) {
        String contactsTable = table(sql, "contacts");
        String dealsTable = table(sql, "deals");
        String snack = column(sql, "contacts", "favorite_snack");
        show(sql, "SELECT id, firstname, _hs_updated_at FROM " + contactsTable + " WHERE id IN (" + join(renamed.subList(0, 3))
            + ") ORDER BY id");
        check(count(sql, "SELECT count(*) FROM " + contactsTable + " WHERE id IN (" + join(renamed)
            + ") AND firstname = 'Renamed-' || id") == renamed.size(), renamed.size() + " renamed contacts have their new firstname");
        show(sql, "SELECT " + quote(snack) + ", count(*) AS contacts FROM " + contactsTable + " WHERE " + quote(snack)
            + " IS NOT NULL GROUP BY 1 ORDER BY 1");
        check(count(sql, "SELECT count(*) FROM " + contactsTable + " WHERE " + quote(snack) + " IS NOT NULL") == snackers.size(),
            "the new column " + snack + " holds the " + snackers.size() + " values set");
        show(sql, "SELECT id, _hs_archived, _hs_archived_at FROM " + contactsTable + " WHERE id = " + archivedId);
        check(count(sql, "SELECT count(*) FROM " + contactsTable + " WHERE id = " + archivedId + " AND _hs_archived") == 1,
            "contact " + archivedId + " is marked archived (the row stays)");
        show(sql, "SELECT dealname, _hs_updated_at, count(*) AS deals FROM " + dealsTable + " WHERE dealname = 'Renewal 2027' "
            + "GROUP BY ALL");
        check(count(sql, "SELECT count(*) FROM " + dealsTable + " WHERE dealname = 'Renewal 2027' AND epoch_ms(_hs_updated_at) = "
            + bulkAt) == bulk, "all " + bulk + " deals of the same-millisecond bulk update arrived");
        String links = table(sql, "contacts_to_deals");
        check(count(sql, "SELECT count(*) FROM " + links + " WHERE " + pairs(linked)) == linked.size(),
            linked.size() + " new contact-deal links are in " + links);
        check(count(sql, "SELECT count(*) FROM " + links + " WHERE " + pairs(unlinked)) == 0,
            unlinked.size() + " removed contact-deal links are gone from " + links);
        for (String type : List.of("contacts", "companies", "deals", "tickets")) {
          long inWarehouse = count(sql, "SELECT count(*) FROM " + table(sql, type) + " WHERE NOT _hs_archived");
          check(inWarehouse == end.live(type).size(), String.format("%,d %s in warehouse = %,d in portal", inWarehouse, type,
              end.live(type).size()));
        }
        checkLinks(sql, end, "contacts", "companies");
        checkLinks(sql, end, "contacts", "deals");
      }
      Map<String, Long> versions = hubspot.stats().versions();
      check(versions.keySet().equals(Set.of("2026-09")), String.format("all %,d HubSpot calls went to HubSpot's 2026-09 "
          + "paths, none to v1, v3 or v4 (the portal's count by the version each path named: %s)",
          hubspot.stats().totalCalls(), versions));
    }
    out.println();
    if (!failed.isEmpty()) {
      out.printf("%d of %d checks FAILED:%n", failed.size(), failed.size() + passed);
      failed.forEach(f -> out.println("  " + f));
      return ExitCode.FAILED.code();
    }
    out.printf("All %d checks passed in %s. The warehouse: %s%n", passed, millis(started), db);
    out.printf("Try: duckdb %s \"SELECT * FROM contacts_to_deals LIMIT 5\"   or   java -jar hubspot-sync-cli.jar status --config %s%n",
        db, folder.resolve("sync.yaml"));
    return ExitCode.OK.code();
  }

  private SyncRun.Result sync(SyncConfig config, Context run) {
    long started = System.nanoTime();
    // Progress lines would count virtual seconds here; the demo prints each step's outcome instead.
    SyncRun.Result result = SyncRun.run(config, run, job -> job.onProgress(p -> {}));
    Secrets secrets = new Secrets(run.env());
    if (result.failure() != null) {
      SyncRun.printSummary(result, ctx.err(), secrets);
      return result;
    }
    var r = result.report();
    for (var s : r.streams()) {
      out.printf("   %-22s %-11s %,7d read %,7d written %,5d calls%s%n", s.objectType(), s.mode(), s.rowsRead(),
          s.rowsWritten(), SyncRun.sum(s.calls()),
          s.mode().equals("backfill") || s.drift().isEmpty() ? "" : "   drift: " + String.join("; ", s.drift()));
    }
    for (var a : r.associations()) {
      out.printf("   %-22s %-11s %,7d parents %,5d links %,5d calls   (%s)%n", a.pair(), a.mode(), a.parentsRead(),
          a.linksStored(), SyncRun.sum(a.calls()), a.reason());
    }
    out.printf("   %,d HubSpot calls; budget used today %s; took %s%n", SyncRun.sum(r.calls()), SyncRun.budget(r),
        millis(started));
    return result;
  }

  private void check(boolean ok, String what) {
    if (ok) {
      passed++;
      out.println("   verified: " + what);
    } else {
      failed.add(what);
      out.println("   FAILED:   " + what);
    }
  }

  /** The pair's link table equals the portal's links of live parents (from, to, type). */
  private void checkLinks(Connection sql, PortalSnapshot truth, String from, String to) throws SQLException {
    Set<Long> live = truth.live(from).stream().map(RecordSnapshot::id).collect(Collectors.toSet());
    Set<List<Long>> expected = new HashSet<>();
    for (AssociationSnapshot a : truth.associations(from, to)) {
      if (live.contains(a.fromId())) {
        expected.add(List.of(a.fromId(), a.toId(), (long) a.typeId()));
      }
    }
    String table = table(sql, from + "_to_" + to);
    Set<List<Long>> stored = new HashSet<>();
    try (Statement s = sql.createStatement();
        ResultSet rs = s.executeQuery("SELECT from_id, to_id, association_type_id FROM " + table)) {
      while (rs.next()) {
        stored.add(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
      }
    }
    check(stored.equals(expected), String.format("%,d links in %s = %,d in portal", stored.size(), table, expected.size()));
  }

  /** Prints a query and its rows as a small table. */
  private void show(Connection sql, String query) throws SQLException {
    out.println("   > " + query);
    try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery(query)) {
      int n = rs.getMetaData().getColumnCount();
      List<String> header = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        header.add(rs.getMetaData().getColumnLabel(i));
      }
      out.println("     " + String.join(" | ", header));
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(String.valueOf(rs.getObject(i)));
        }
        out.println("     " + String.join(" | ", row));
      }
    }
  }

  private static long count(Connection sql, String query) throws SQLException {
    try (Statement s = sql.createStatement(); ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The table the sink registered for an object type or pair (in {@code _hubspot_sync_tables}). */
  private static String table(Connection sql, String name) throws SQLException {
    try (var s = sql.prepareStatement("SELECT table_name FROM _hubspot_sync_tables WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no table registered for " + name);
        }
        return quote(rs.getString(1));
      }
    }
  }

  /** The column the sink chose for a property (in {@code _hubspot_sync_columns}). */
  private static String column(Connection sql, String type, String property) throws SQLException {
    try (var s = sql.prepareStatement("SELECT column_name FROM _hubspot_sync_columns WHERE object_type = ? AND property = ?")) {
      s.setString(1, type);
      s.setString(2, property);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no column for " + type + "." + property);
        }
        return rs.getString(1);
      }
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String join(List<Long> ids) {
    return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  private static String pairs(List<List<Long>> links) {
    return links.stream().map(l -> "(from_id = " + l.get(0) + " AND to_id = " + l.get(1) + ")")
        .collect(Collectors.joining(" OR ", "(", ")"));
  }

  private static String counts(PortalSnapshot s) {
    return s.records().keySet().stream().filter(t -> !s.live(t).isEmpty())
        .map(t -> String.format("%,d %s", s.live(t).size(), t)).collect(Collectors.joining(", "));
  }

  private static String millis(long startNanos) {
    return String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9);
  }
}
