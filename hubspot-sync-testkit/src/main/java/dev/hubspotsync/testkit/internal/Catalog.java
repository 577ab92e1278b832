package dev.hubspotsync.testkit.internal;

import dev.hubspotsync.testkit.internal.PropertyDef.Option;
import dev.hubspotsync.testkit.internal.PropertyDef.Source;
import java.util.ArrayList;
import java.util.List;

/**
 * The portal's object types, their HubSpot-defined and custom properties, and the association
 * types between them. Names, ids and default property sets follow hubspot-api.md §1, §2, §4.4, §5.
 */
final class Catalog {
  static final String ROLLUP_PREFIX = "sync_associations_";

  private Catalog() {}

  static List<ObjectTypeDef> objectTypes(long portalId, long t0) {
    List<ObjectTypeDef> types = new ArrayList<>();

    ObjectTypeDef contacts = new ObjectTypeDef("contacts", "contact", "0-1", null, "lastmodifieddate", "createdate",
        List.of("firstname", "lastname", "email"),
        List.of("firstname", "lastname", "email", "lastmodifieddate", "hs_object_id", "createdate"),
        "crm.objects.contacts.read", "crm.schemas.contacts.read", "email", t0);
    standard(contacts, t0, "contactinformation");
    // Contacts also expose hs_lastmodifieddate, but search does not index it: filtering on it
    // silently returns zero rows (§2, airbytehq/airbyte PR #85019).
    contacts.add(Source.MODIFIED, "hs_lastmodifieddate", "Object last modified date/time", "datetime", "date",
        "contactinformation", null, true, true, false, false, t0);
    text(contacts, t0, "email", "Email", true);
    text(contacts, t0, "firstname", "First Name", false);
    text(contacts, t0, "lastname", "Last Name", false);
    contacts.add(Source.STORED, "phone", "Phone Number", "string", "phonenumber", "contactinformation", null,
        false, true, false, false, t0);
    text(contacts, t0, "company", "Company Name", false);
    text(contacts, t0, "jobtitle", "Job Title", false);
    text(contacts, t0, "city", "City", false);
    text(contacts, t0, "country", "Country/Region", false);
    enumeration(contacts, t0, "lifecyclestage", "Lifecycle Stage", "select", true,
        "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other");
    enumeration(contacts, t0, "hs_lead_status", "Lead Status", "select", true,
        "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED", "BAD_TIMING");
    contacts.add(Source.STORED, "hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox",
        "contactinformation", boolOptions(), false, true, false, false, t0);
    contacts.add(Source.STORED, "hs_analytics_num_visits", "Number of Sessions", "number", "number",
        "analyticsinformation", null, true, true, false, false, t0);
    contacts.add(Source.STORED, "num_associated_deals", "Associated Deals", "number", "calculation_rollup",
        "contactinformation", null, true, true, false, false, t0);
    // A calculated datetime served as an epoch-ms string (§5 caveat).
    contacts.add(Source.STORED, "hs_lifecyclestage_lead_date", "Became a Lead Date", "datetime", "calculation_equation",
        "contactinformation", null, true, true, false, true, t0);
    contacts.add(Source.STORED, "date_of_birth", "Date of birth", "date", "date", "contactinformation", null,
        false, true, false, false, t0);
    mergedIds(contacts, t0);
    // Custom properties, one of every type.
    custom(contacts, t0, "favorite_color", "string", "text");
    customEnum(contacts, t0, "preferred_channel", "select", "email", "phone", "sms", "in_person");
    customEnum(contacts, t0, "ice_cream_flavors", "checkbox", "chocolate", "strawberry", "vanilla", "pistachio");
    custom(contacts, t0, "nps_score", "number", "number");
    custom(contacts, t0, "renewal_date", "date", "date");
    custom(contacts, t0, "last_demo_at", "datetime", "date");
    contacts.add(Source.STORED, "is_vip", "Is VIP", "bool", "booleancheckbox", "custom", boolOptions(),
        false, false, false, false, t0);
    custom(contacts, t0, "direct_line", "phone_number", "phonenumber");
    custom(contacts, t0, "notes_long", "string", "textarea");
    types.add(contacts);

    ObjectTypeDef companies = new ObjectTypeDef("companies", "company", "0-2", null, "hs_lastmodifieddate",
        "createdate", List.of("name", "domain"),
        List.of("name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"),
        "crm.objects.companies.read", "crm.schemas.companies.read", "name", t0);
    standard(companies, t0, "companyinformation");
    text(companies, t0, "name", "Company name", false);
    text(companies, t0, "domain", "Company Domain Name", false);
    text(companies, t0, "city", "City", false);
    text(companies, t0, "country", "Country/Region", false);
    companies.add(Source.STORED, "phone", "Phone Number", "string", "phonenumber", "companyinformation", null,
        false, true, false, false, t0);
    enumeration(companies, t0, "industry", "Industry", "select", true,
        "COMPUTER_SOFTWARE", "FINANCIAL_SERVICES", "HOSPITAL_HEALTH_CARE", "RETAIL", "EDUCATION_MANAGEMENT");
    companies.add(Source.STORED, "numberofemployees", "Number of Employees", "number", "number",
        "companyinformation", null, false, true, false, false, t0);
    companies.add(Source.STORED, "annualrevenue", "Annual Revenue", "number", "number", "companyinformation",
        null, false, true, false, false, t0);
    companies.add(Source.STORED, "num_associated_contacts", "Number of Associated Contacts", "number",
        "calculation_rollup", "companyinformation", null, true, true, false, false, t0);
    mergedIds(companies, t0);
    customEnum(companies, t0, "account_tier", "select", "gold", "silver", "bronze");
    custom(companies, t0, "churn_risk", "number", "number");
    custom(companies, t0, "contract_start", "date", "date");
    custom(companies, t0, "last_qbr_at", "datetime", "date");
    types.add(companies);

    ObjectTypeDef deals = new ObjectTypeDef("deals", "deal", "0-3", null, "hs_lastmodifieddate", "createdate",
        List.of("dealname", "amount", "closedate", "pipeline", "dealstage"),
        List.of("dealname", "amount", "closedate", "pipeline", "dealstage", "createdate", "hs_lastmodifieddate",
            "hs_object_id"),
        "crm.objects.deals.read", "crm.schemas.deals.read", "dealname", t0);
    standard(deals, t0, "dealinformation");
    text(deals, t0, "dealname", "Deal Name", false);
    deals.add(Source.STORED, "amount", "Amount", "number", "number", "dealinformation", null, false, true, false,
        false, t0);
    deals.add(Source.STORED, "closedate", "Close Date", "datetime", "date", "dealinformation", null, false, true,
        false, false, t0);
    enumeration(deals, t0, "pipeline", "Pipeline", "select", true, "default");
    enumeration(deals, t0, "dealstage", "Deal Stage", "radio", true,
        "appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin",
        "contractsent", "closedwon", "closedlost");
    deals.add(Source.STORED, "hs_is_closed", "Is Deal Closed?", "bool", "calculation_equation", "dealinformation",
        boolOptions(), true, true, false, false, t0);
    // §5 caveat: deal hs_open_deal_create_date comes back as "1743685150726".
    deals.add(Source.STORED, "hs_open_deal_create_date", "Open deal created date", "datetime",
        "calculation_equation", "dealinformation", null, true, true, false, true, t0);
    mergedIds(deals, t0);
    custom(deals, t0, "discount_pct", "number", "number");
    custom(deals, t0, "signed_date", "date", "date");
    customEnum(deals, t0, "competitors", "checkbox", "acme", "globex", "initech", "umbrella");
    types.add(deals);

    ObjectTypeDef tickets = new ObjectTypeDef("tickets", "ticket", "0-5", null, "hs_lastmodifieddate", "createdate",
        List.of("content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject"),
        List.of("content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject",
            "createdate", "hs_lastmodifieddate", "hs_object_id"),
        "tickets", "tickets", "subject", t0);
    standard(tickets, t0, "ticketinformation");
    text(tickets, t0, "subject", "Ticket name", false);
    tickets.add(Source.STORED, "content", "Ticket description", "string", "textarea", "ticketinformation", null,
        false, true, false, false, t0);
    enumeration(tickets, t0, "hs_pipeline", "Pipeline", "select", true, "0");
    enumeration(tickets, t0, "hs_pipeline_stage", "Ticket status", "select", true, "1", "2", "3", "4");
    enumeration(tickets, t0, "hs_ticket_category", "Category", "checkbox", true,
        "PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY");
    enumeration(tickets, t0, "hs_ticket_priority", "Priority", "select", true, "LOW", "MEDIUM", "HIGH", "URGENT");
    tickets.add(Source.STORED, "hs_last_message_from_visitor", "Last message from visitor", "bool",
        "booleancheckbox", "ticketinformation", boolOptions(), true, true, false, false, t0);
    mergedIds(tickets, t0);
    types.add(tickets);

    ObjectTypeDef calls = new ObjectTypeDef("calls", "call", "0-48", null, "hs_lastmodifieddate", "hs_createdate",
        List.of("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
        List.of("hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
        "crm.objects.contacts.read", "crm.schemas.contacts.read", "hs_call_title", t0);
    standard(calls, t0, "call");
    calls.add(Source.STORED, "hs_timestamp", "Activity date", "datetime", "date", "call", null, false, true,
        false, false, t0);
    text(calls, t0, "hs_call_title", "Call Title", false);
    calls.add(Source.STORED, "hs_call_body", "Call notes", "string", "html", "call", null, false, true, false,
        false, t0);
    calls.add(Source.STORED, "hs_call_duration", "Call duration", "number", "number", "call", null, false, true,
        false, false, t0);
    enumeration(calls, t0, "hs_call_direction", "Call direction", "select", true, "INBOUND", "OUTBOUND");
    enumeration(calls, t0, "hs_call_status", "Call status", "select", true,
        "BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER");
    types.add(calls);

    // An activatable object (§10.5): served only while the object library switches it on (PortalSpec).
    ObjectTypeDef services = new ObjectTypeDef("services", "service", "0-162", null, "hs_lastmodifieddate",
        "hs_createdate", List.of("hs_name"), List.of("hs_name", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
        "crm.objects.services.read", "crm.objects.services.read", "hs_name", t0);
    standard(services, t0, "service_information");
    text(services, t0, "hs_name", "Name", false);
    enumeration(services, t0, "hs_status", "Status", "select", true, "ACTIVE", "INACTIVE");
    types.add(services);

    // A custom object, addressed by its 2-<n> objectTypeId or p<portalId>_<name> (§5b).
    ObjectTypeDef subs = new ObjectTypeDef("subscriptions", "subscription", "2-" + (7_264_515 + portalId % 1000),
        "p" + portalId + "_subscriptions", "hs_lastmodifieddate", "hs_createdate",
        List.of("plan_name"), List.of("plan_name", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"),
        "crm.objects.custom.read", "crm.schemas.custom.read", "plan_name", t0);
    standard(subs, t0, "subscription_information");
    subs.add(Source.STORED, "plan_name", "Plan name", "string", "text", "subscription_information", null, false,
        false, false, false, t0);
    subs.add(Source.STORED, "mrr", "MRR", "number", "number", "subscription_information", null, false, false, false,
        false, t0);
    subs.add(Source.STORED, "status", "Status", "enumeration", "select", "subscription_information",
        options("active", "paused", "cancelled"), false, false, false, false, t0);
    subs.add(Source.STORED, "started_on", "Started on", "date", "date", "subscription_information", null, false,
        false, false, false, t0);
    subs.add(Source.STORED, "renews_at", "Renews at", "datetime", "date", "subscription_information", null, false,
        false, false, false, t0);
    subs.add(Source.STORED, "auto_renew", "Auto renew", "bool", "booleancheckbox", "subscription_information",
        boolOptions(), false, false, false, false, t0);
    types.add(subs);
    return types;
  }

  /**
   * Directed association types with their inverses (hubspot-api.md §4.4). Every labeled link also
   * carries the pair's unlabeled type, as HubSpot returns both.
   */
  static List<AssociationType> associationTypes(String customObjectTypeId) {
    List<AssociationType> out = new ArrayList<>();
    pair(out, "contacts", "companies", 279, 280, "HUBSPOT_DEFINED", null);
    pair(out, "contacts", "companies", 1, 2, "HUBSPOT_DEFINED", "Primary");
    pair(out, "contacts", "companies", 143, 144, "USER_DEFINED", "Billing contact");
    pair(out, "deals", "contacts", 3, 4, "HUBSPOT_DEFINED", null);
    pair(out, "deals", "contacts", 145, 146, "USER_DEFINED", "Decision maker");
    pair(out, "deals", "companies", 341, 342, "HUBSPOT_DEFINED", null);
    pair(out, "deals", "companies", 5, 6, "HUBSPOT_DEFINED", "Primary");
    pair(out, "tickets", "contacts", 16, 15, "HUBSPOT_DEFINED", null);
    pair(out, "tickets", "companies", 339, 340, "HUBSPOT_DEFINED", null);
    pair(out, "tickets", "companies", 26, 25, "HUBSPOT_DEFINED", "Primary");
    pair(out, "calls", "contacts", 194, 193, "HUBSPOT_DEFINED", null);
    pair(out, "calls", "companies", 182, 181, "HUBSPOT_DEFINED", null);
    pair(out, "calls", "deals", 206, 205, "HUBSPOT_DEFINED", null);
    pair(out, "subscriptions", "contacts", 97, 98, "USER_DEFINED", null);
    pair(out, "subscriptions", "companies", 99, 100, "USER_DEFINED", null);
    return out;
  }

  private static void pair(List<AssociationType> out, String a, String b, int ab, int ba, String category,
      String label) {
    out.add(new AssociationType(a, b, ab, category, label, ba));
    out.add(new AssociationType(b, a, ba, category, label, ab));
  }

  private static void standard(ObjectTypeDef t, long t0, String group) {
    t.add(Source.ID, "hs_object_id", "Record ID", "number", "number", group, null, true, true, true, false, t0);
    t.add(Source.CREATED, t.createdProperty, "Create Date", "datetime", "date", group, null, true, true, false,
        false, t0);
    t.add(Source.MODIFIED, t.modifiedProperty, "Last Modified Date", "datetime", "date", group, null, true, true,
        false, false, t0);
  }

  private static void mergedIds(ObjectTypeDef t, long t0) {
    // §5: hs_merged_object_ids is an enumeration/checkbox, values semicolon-joined.
    t.add(Source.STORED, "hs_merged_object_ids", "Merged Record IDs", "enumeration", "checkbox", t.singular + "information",
        null, true, true, false, false, t0);
  }

  private static void text(ObjectTypeDef t, long t0, String name, String label, boolean unique) {
    t.add(Source.STORED, name, label, "string", "text", t.singular + "information", null, false, true, unique, false, t0);
  }

  private static void enumeration(ObjectTypeDef t, long t0, String name, String label, String fieldType,
      boolean defined, String... values) {
    t.add(Source.STORED, name, label, "enumeration", fieldType, t.singular + "information", options(values), false,
        defined, false, false, t0);
  }

  private static void custom(ObjectTypeDef t, long t0, String name, String type, String fieldType) {
    t.add(Source.STORED, name, label(name), type, fieldType, "custom", null, false, false, false, false, t0);
  }

  private static void customEnum(ObjectTypeDef t, long t0, String name, String fieldType, String... values) {
    t.add(Source.STORED, name, label(name), "enumeration", fieldType, "custom", options(values), false, false,
        false, false, t0);
  }

  static List<Option> options(String... values) {
    List<Option> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(new Option(label(values[i]), values[i], i));
    }
    return out;
  }

  private static List<Option> boolOptions() {
    return List.of(new Option("Yes", "true", 0), new Option("No", "false", 1));
  }

  private static String label(String name) {
    String s = name.replace('_', ' ').toLowerCase();
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
