// `sla`: the suite's command line, for people and scripts (docs/api.md, "CLI").
//
//   sla config set token "$(scripts/token --roles=msp_admin)"
//   sla customers create --name "Acme Thai Co." --time-zone Asia/Bangkok
//   sla contracts create customers/cust-1 --name "Managed IT" -f
//   docs/examples/acme-managed-it-terms.json sla tickets list --order-by next_due_time sla call
//   sla.billing.v1.BillingService/PreviewCredits '{"contract": "…", "period": {"year": 2026,
//   "month": 12}}'
//
// Every command builds a request message and prints the answer as a table or, with -o json,
// as protobuf's JSON. Exit codes by error class: tools/cli_core.h.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/server/auth.h"
#include "common/server/raw_client.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "sla/billing/v1/billing_service.pb.h"
#include "sla/contract/v1/contract_service.pb.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "sla/v1/event_consumer_service.pb.h"
#include "sla/v1/event_service.pb.h"
#include "tools/cli_core.h"

namespace sla::cli {
namespace {

namespace cpb = sla::contract::v1;
namespace tpb = sla::ticket::v1;
namespace bpb = sla::billing::v1;
namespace rpb = sla::reporting::v1;
using google::protobuf::util::TimeUtil;

// What every command reads from the global options.
struct Globals {
  std::string profile;
  std::string output = "table";
  std::string token;
  std::string time_zone;
  int timeout_s = 10;
  std::string at;  // the service to call, for methods several serve
};

// The result of a command: an exit code (0 once printed).
struct Runner {
  Globals g;
  int exit_code = kOk;

  absl::StatusOr<Session> Open() {
    absl::StatusOr<Config> config = LoadConfig(ConfigPath());
    if (!config.ok()) return config.status();
    const std::string name = g.profile.empty() ? config->current : g.profile;
    auto it = config->profiles.find(name);
    if (it == config->profiles.end()) {
      return absl::NotFoundError(
          absl::StrCat("no profile `", name, "` in ", ConfigPath(), " (sla config show)"));
    }
    return Session(it->second, g.token, g.timeout_s);
  }

  // Calls `method` with `request`: its typed answer, or the call's status.
  template <typename Response>
  absl::StatusOr<Response> Fetch(const std::string& method,
                                 const google::protobuf::Message& request) {
    absl::StatusOr<const google::protobuf::MethodDescriptor*> m = FindMethod(method);
    if (!m.ok()) return m.status();
    absl::StatusOr<Session> session = Open();
    if (!session.ok()) return session.status();
    if (!g.at.empty()) session->RouteTo(g.at);
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> answer = session->Call(*m, request);
    if (!answer.ok()) return answer.status();
    Response typed;
    if (!typed.ParseFromString((*answer)->SerializeAsString()))
      return absl::DataLossError("the answer did not parse");
    return typed;
  }

  // Calls `method` with `request` and prints the answer with `table` (or as JSON).
  template <typename Response>
  void Run(const std::string& method, const google::protobuf::Message& request,
           const std::function<std::string(const Response&)>& table) {
    absl::StatusOr<Response> answer = Fetch<Response>(method, request);
    if (!answer.ok()) return Fail(answer.status());
    std::cout << (g.output == "json" ? ToJson(*answer) + "\n" : table(*answer));
  }

  void Fail(const absl::Status& s) { exit_code = ReportError(s); }

  // A time in `zone`, else the chosen zone (--time-zone, else $TZ, else UTC).
  std::string When(const google::protobuf::Timestamp& t, const std::string& zone = "") const {
    if (t.seconds() == 0 && t.nanos() == 0) return "-";
    absl::TimeZone tz = absl::UTCTimeZone();
    const std::string name = !zone.empty()          ? zone
                             : !g.time_zone.empty() ? g.time_zone
                             : std::getenv("TZ")    ? std::getenv("TZ")
                                                    : "";
    if (!name.empty()) (void)absl::LoadTimeZone(name, &tz);
    return absl::FormatTime("%Y-%m-%d %H:%M %Z", absl::FromUnixSeconds(t.seconds()), tz);
  }

  // The zone of the calendar a ticket's next due time is counted on: the clock that is due
  // next, its target in the terms version the ticket runs under, that target's calendar as the
  // version's snapshot holds it. "" when --time-zone was given or nothing names one.
  std::string TicketZone(const sla::ticket::v1::Ticket& t) {
    if (!g.time_zone.empty() || !t.has_next_due_time() || t.terms_version().empty()) return "";
    auto it = terms_.find(t.terms_version());
    if (it == terms_.end()) {
      cpb::ResolveTermsRequest req;
      req.set_contract(t.contract());
      req.set_version(t.terms_version());
      // Without the terms the table falls back to the chosen zone.
      absl::StatusOr<cpb::ResolveTermsResponse> resolved =
          Fetch<cpb::ResolveTermsResponse>("sla.contract.v1.ContractService/ResolveTerms", req);
      it = terms_
               .emplace(t.terms_version(),
                        resolved.ok() ? resolved->version().terms() : sla::v1::SlaTerms())
               .first;
    }
    const sla::v1::SlaTerms& terms = it->second;
    std::string calendar;
    for (const auto& clock : t.clocks()) {
      if (clock.due_time().seconds() != t.next_due_time().seconds()) continue;
      for (const auto& p : terms.priority_targets()) {
        if (p.priority() != t.priority()) continue;
        switch (clock.kind()) {
          case sla::v1::CLOCK_FIRST_RESPONSE:
            calendar = p.first_response().calendar();
            break;
          case sla::v1::CLOCK_RESOLUTION_PLAN:
            calendar = p.resolution_plan().calendar();
            break;
          case sla::v1::CLOCK_UPDATE_INTERVAL:
            calendar = p.update_interval().calendar();
            break;
          case sla::v1::CLOCK_RESOLUTION:
            calendar = p.resolution().calendar();
            break;
          default:
            break;
        }
      }
      if (!calendar.empty()) break;
    }
    for (const auto& svc : terms.services()) {  // wall-clock targets: the service's hours
      if (calendar.empty() && svc.service_id() == t.service_id()) calendar = svc.service_calendar();
    }
    for (const auto& c : terms.calendars()) {
      if (c.name() == calendar) return c.time_zone();
    }
    return "";
  }

  std::map<std::string, sla::v1::SlaTerms> terms_;  // by version name, for TicketZone
};

// An enum value's name; "-" for the unspecified value (0).
template <typename Enum>
std::string EnumName(const google::protobuf::EnumDescriptor* d, Enum v) {
  if (static_cast<int>(v) == 0) return "-";
  const auto* value = d->FindValueByNumber(static_cast<int>(v));
  return value == nullptr ? absl::StrCat(static_cast<int>(v)) : value->name();
}

std::string CustomersTable(const std::vector<const cpb::Customer*>& cs) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "DISPLAY NAME", "STATE", "TIME ZONE"}};
  for (const auto* c : cs) {
    rows.push_back({c->name(), c->display_name(),
                    EnumName(cpb::Customer::State_descriptor(), c->state()),
                    c->time_zone().empty() ? "-" : c->time_zone()});
  }
  return Table(rows);
}

std::string ContractsTable(const std::vector<const cpb::Contract*>& cs) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "TITLE", "STATE", "VERSION", "ETAG"}};
  for (const auto* c : cs) {
    rows.push_back({c->name(), c->display_name(),
                    EnumName(cpb::Contract::State_descriptor(), c->state()),
                    absl::StrCat(c->version()), c->etag()});
  }
  return Table(rows);
}

std::string Money(const sla::v1::Money& m) {
  // Minor units with two decimals (THB satang), grouped for reading.
  const int64_t minor = m.amount_minor();
  const int64_t major = (minor < 0 ? -minor : minor) / 100;
  std::string digits = absl::StrCat(major), grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return absl::StrFormat("%s%s.%02d %s", minor < 0 ? "-" : "", grouped,
                         (minor < 0 ? -minor : minor) % 100, m.currency_code());
}

absl::StatusOr<sla::billing::v1::BillingPeriod> ParsePeriod(const std::string& text) {
  sla::billing::v1::BillingPeriod p;
  int y = 0, m = 0;
  const std::vector<std::string> ym = absl::StrSplit(text, '-');
  if (ym.size() != 2 || !absl::SimpleAtoi(ym[0], &y) || !absl::SimpleAtoi(ym[1], &m) || m < 1 ||
      m > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("--period: `", text, "` is not YYYY-MM, e.g. 2026-12"));
  }
  p.set_year(y);
  p.set_month(m);
  return p;
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !(out << content))
    return absl::PermissionDeniedError(absl::StrCat("cannot write `", path, "`"));
  return absl::OkStatus();
}

std::string TicketsTable(Runner& r, const std::vector<const tpb::Ticket*>& ts) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "PRIORITY", "STATUS", "TITLE", "NEXT DUE", "LEFT (BUSINESS TIME)"}};
  for (const auto* t : ts) {
    const bool running = t->has_next_due_time();
    std::string left = running ? Relative(t->time_left_seconds()) : "-";
    if (t->breached())
      left = "BREACHED";
    else if (t->at_risk())
      left += " (at risk)";
    rows.push_back({t->name(), EnumName(sla::v1::Priority_descriptor(), t->priority()),
                    EnumName(tpb::Ticket::Status_descriptor(), t->status()), t->title(),
                    running ? r.When(t->next_due_time(), r.TicketZone(*t)) : "-", left});
  }
  return Table(rows);
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(const std::string& text,
                                                      const std::string& flag) {
  google::protobuf::Timestamp t;
  if (text == "now") return TimeUtil::GetCurrentTime();
  if (!TimeUtil::FromString(text, &t)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": `", text, "` is not an RFC 3339 time, e.g. 2026-12-01T00:00:00+07:00"));
  }
  return t;
}

// A JSON file into `message`: NOT_FOUND for the file, INVALID_ARGUMENT naming the problem.
absl::Status JsonFileInto(const std::string& path, google::protobuf::Message* message) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  google::protobuf::util::JsonParseOptions strict;
  if (auto s = google::protobuf::util::JsonStringToMessage(*text, message, strict); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("`", path, "` is not a valid ",
                                                   message->GetDescriptor()->full_name(),
                                                   " in JSON: ", s.message().as_string()));
  }
  return absl::OkStatus();
}

void Example(CLI::App* app, const std::string& text) {
  app->footer(absl::StrCat("Example:\n  ", text));
}

void AddToken(CLI::App& app, Runner& r) {
  auto* cmd = app.add_subcommand("token", "Mint a development bearer token (HS256, local runs)");
  static std::string key_file = ".local/secrets/jwt-hs256.key", sub = "dev", tenant,
                     roles = "msp_admin", issuer = "sla-platform", audience = "sla-platform";
  static int ttl = 60;
  cmd->add_option("--key_file", key_file, "HS256 key file")->capture_default_str();
  cmd->add_option("--sub", sub, "subject")->capture_default_str();
  cmd->add_option("--tenant", tenant, "customer id, for customer roles");
  cmd->add_option("--roles", roles, "comma-separated roles")->capture_default_str();
  cmd->add_option("--ttl_minutes", ttl, "minutes the token is valid")->capture_default_str();
  cmd->add_option("--issuer", issuer)->capture_default_str();
  cmd->add_option("--audience", audience)->capture_default_str();
  Example(cmd, "sla config set token \"$(sla token --roles=msp_admin)\"");
  cmd->callback([&r] {
    auto key = server::ReadSecretFile(key_file);
    if (!key.ok()) return r.Fail(key.status());
    server::JwtConfig config{*key, issuer, audience};
    server::Identity id{sub, tenant, absl::StrSplit(roles, ',', absl::SkipEmpty())};
    auto token = server::MintToken(config, id, absl::Now(), absl::Minutes(ttl));
    if (!token.ok()) return r.Fail(token.status());
    std::cout << *token << "\n";
  });
}

void AddHealth(CLI::App& app, Runner& r) {
  auto* cmd = app.add_subcommand("health", "Exit 0 only if a service answers SERVING");
  static std::string target = "127.0.0.1:50051", service;
  static int timeout = 2;
  cmd->add_option("--target", target, "host:port")->capture_default_str();
  cmd->add_option("--service", service, "service name; empty = the whole server");
  cmd->add_option("--timeout_seconds", timeout)->capture_default_str();
  cmd->callback([&r] {
    auto serving =
        server::CheckServing(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()),
                             service, absl::Seconds(timeout));
    if (!serving.ok()) {
      std::cout << "UNREACHABLE " << serving.status() << "\n";
      r.exit_code = kUnavailable;
      return;
    }
    std::cout << (*serving ? "SERVING" : "NOT_SERVING") << "\n";
    r.exit_code = *serving ? kOk : kUnavailable;
  });
}

void AddConfig(CLI::App& app, Runner& r) {
  auto* config =
      app.add_subcommand("config", "Profiles: where the services are and which token to use");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "Print the current profile (or --profile's)");
  show->callback([&r] {
    auto c = LoadConfig(ConfigPath());
    if (!c.ok()) return r.Fail(c.status());
    const std::string name = r.g.profile.empty() ? c->current : r.g.profile;
    auto it = c->profiles.find(name);
    if (it == c->profiles.end())
      return r.Fail(absl::NotFoundError(absl::StrCat("no profile `", name, "`")));
    std::cout << "# " << ConfigPath() << ", profile " << name << "\n"
              << ProfileJson(it->second) << "\n";
  });
  auto* set = config->add_subcommand(
      "set", "Set a key of the current profile (or --profile's, created if new)");
  static std::string key, value;
  std::string keys;
  for (const auto& [k, what] : ProfileKeys()) absl::StrAppend(&keys, "\n  ", k, ": ", what);
  set->add_option("key", key, "what to set")->required();
  set->add_option("value", value, "its value")->required();
  set->footer(absl::StrCat(
      "Keys:", keys, "\nExample:\n  sla config set token \"$(scripts/token --roles=msp_admin)\""));
  set->callback([&r] {
    auto c = LoadConfig(ConfigPath());
    if (!c.ok()) return r.Fail(c.status());
    const std::string name = r.g.profile.empty() ? c->current : r.g.profile;
    if (absl::Status s = SetProfileKey(c->profiles[name], key, value); !s.ok()) return r.Fail(s);
    if (absl::Status s = SaveConfig(ConfigPath(), *c); !s.ok()) return r.Fail(s);
    std::cout << "profile " << name << ": " << key << " set\n";
  });
  auto* use = config->add_subcommand("use", "Make a profile the current one");
  static std::string profile;
  use->add_option("profile", profile)->required();
  use->callback([&r] {
    auto c = LoadConfig(ConfigPath());
    if (!c.ok()) return r.Fail(c.status());
    if (!c->profiles.contains(profile)) {
      return r.Fail(absl::NotFoundError(absl::StrCat("no profile `", profile,
                                                     "`; create it with sla --profile ", profile,
                                                     " config set contract HOST:PORT")));
    }
    c->current = profile;
    if (absl::Status s = SaveConfig(ConfigPath(), *c); !s.ok()) return r.Fail(s);
    std::cout << "current profile: " << profile << "\n";
  });
}

void AddCall(CLI::App& app, Runner& r) {
  auto* cmd =
      app.add_subcommand("call", "Call any RPC with a JSON request; prints the JSON answer");
  static std::string method, json, file;
  cmd->add_option("method", method, "Service/Method, e.g. sla.ticket.v1.TicketService/GetTicket")
      ->required();
  cmd->add_option("json", json, "the request in JSON (proto3 mapping)");
  cmd->add_option("-f,--file", file, "read the request from a file (- = standard input)");
  cmd->add_option("--at", r.g.at,
                  "the service to call (billing, reporting) for sla.v1.EventConsumerService");
  Example(cmd,
          "sla call sla.ticket.v1.TicketService/GetTicket '{\"name\": \"customers/c/tickets/t\"}'");
  cmd->callback([&r] {
    absl::StatusOr<const google::protobuf::MethodDescriptor*> m = FindMethod(method);
    if (!m.ok()) return r.Fail(m.status());
    std::string text = json.empty() ? "{}" : json;
    if (!file.empty()) {
      absl::StatusOr<std::string> f = ReadFile(file);
      if (!f.ok()) return r.Fail(f.status());
      text = *f;
    }
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request = RequestFromJson(*m, text);
    if (!request.ok()) return r.Fail(request.status());
    absl::StatusOr<Session> session = r.Open();
    if (!session.ok()) return r.Fail(session.status());
    if (!r.g.at.empty()) session->RouteTo(r.g.at);
    if ((*m)->server_streaming()) {
      absl::Status s = session->Stream(*m, **request, [](const google::protobuf::Message& msg) {
        std::cout << ToJson(msg) << "\n" << std::flush;
      });
      if (!s.ok()) r.Fail(s);
      return;
    }
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> answer =
        session->Call(*m, **request);
    if (!answer.ok()) return r.Fail(answer.status());
    std::cout << ToJson(**answer) << "\n";
  });
}

void AddCustomers(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand("customers", "The MSP's customers (contract-svc)");
  noun->require_subcommand(1);
  auto* create = noun->add_subcommand("create", "Create a customer (msp_admin)");
  static cpb::CreateCustomerRequest creq;
  static std::string name, tz, request_id;
  create->add_option("--name", name, "display name")->required();
  create->add_option("--time-zone", tz, "IANA time zone, e.g. Asia/Bangkok");
  create->add_option("--request-id", request_id,
                     "idempotency key: a retry returns the same customer");
  Example(create, "sla customers create --name \"Acme Thai Co.\" --time-zone Asia/Bangkok");
  create->callback([&r] {
    creq.mutable_customer()->set_display_name(name);
    creq.mutable_customer()->set_time_zone(tz);
    creq.set_request_id(request_id);
    r.Run<cpb::Customer>("sla.contract.v1.ContractService/CreateCustomer", creq,
                         [](const cpb::Customer& c) { return CustomersTable({&c}); });
  });
  auto* get = noun->add_subcommand("get", "Show a customer");
  static cpb::GetCustomerRequest greq;
  get->add_option("name", *greq.mutable_name(), "customers/{customer}")->required();
  get->callback([&r] {
    r.Run<cpb::Customer>("sla.contract.v1.ContractService/GetCustomer", greq,
                         [](const cpb::Customer& c) { return CustomersTable({&c}); });
  });
  auto* list = noun->add_subcommand("list", "List customers");
  static cpb::ListCustomersRequest lreq;
  list->add_option("--filter", *lreq.mutable_filter(),
                   "e.g. 'state = ACTIVE AND display_name : \"acme\"'");
  static int page_size = 0;
  list->add_option("--page-size", page_size, "1..1000");
  list->callback([&r] {
    lreq.set_page_size(page_size);
    r.Run<cpb::ListCustomersResponse>("sla.contract.v1.ContractService/ListCustomers", lreq,
                                      [](const cpb::ListCustomersResponse& out) {
                                        std::vector<const cpb::Customer*> cs;
                                        for (const auto& c : out.customers()) cs.push_back(&c);
                                        return CustomersTable(cs);
                                      });
  });
}

void AddContracts(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand("contracts", "Contracts and their SLA terms (contract-svc)");
  noun->require_subcommand(1);
  auto* create =
      noun->add_subcommand("create", "Create a draft contract from a terms file (msp_admin)");
  static std::string parent, title, terms_file, request_id;
  create->add_option("customer", parent, "customers/{customer}")->required();
  create->add_option("--name", title, "the contract's title")->required();
  create->add_option("-f,--terms", terms_file, "the SLA terms in JSON (sla.v1.SlaTerms)")
      ->required();
  create->add_option("--request-id", request_id, "idempotency key");
  Example(create,
          "sla contracts create customers/cust-1 --name \"Managed IT\" -f "
          "docs/examples/acme-managed-it-terms.json");
  create->callback([&r] {
    cpb::CreateContractRequest req;
    req.set_parent(parent);
    req.set_request_id(request_id);
    req.mutable_contract()->set_display_name(title);
    if (absl::Status s = JsonFileInto(terms_file, req.mutable_contract()->mutable_terms()); !s.ok())
      return r.Fail(s);
    r.Run<cpb::Contract>("sla.contract.v1.ContractService/CreateContract", req,
                         [](const cpb::Contract& c) { return ContractsTable({&c}); });
  });
  auto* get = noun->add_subcommand("get", "Show a contract (-o json for its terms)");
  static cpb::GetContractRequest greq;
  get->add_option("name", *greq.mutable_name(), "customers/{customer}/contracts/{contract}")
      ->required();
  get->callback([&r] {
    r.Run<cpb::Contract>("sla.contract.v1.ContractService/GetContract", greq,
                         [](const cpb::Contract& c) { return ContractsTable({&c}); });
  });
  auto* list = noun->add_subcommand("list", "List a customer's contracts (customers/- for all)");
  static cpb::ListContractsRequest lreq;
  list->add_option("customer", *lreq.mutable_parent(), "customers/{customer} or customers/-")
      ->required();
  list->add_option("--filter", *lreq.mutable_filter(), "e.g. 'state = ACTIVE'");
  list->callback([&r] {
    r.Run<cpb::ListContractsResponse>("sla.contract.v1.ContractService/ListContracts", lreq,
                                      [](const cpb::ListContractsResponse& out) {
                                        std::vector<const cpb::Contract*> cs;
                                        for (const auto& c : out.contracts()) cs.push_back(&c);
                                        return ContractsTable(cs);
                                      });
  });
  auto* activate =
      noun->add_subcommand("activate", "Activate a linted draft (its etag) from a time");
  static std::string aname, etag, from = "now";
  activate->add_option("name", aname, "the contract")->required();
  activate->add_option("--etag", etag, "the draft's etag, from `sla contracts get`")->required();
  activate->add_option("--from", from, "when version 1 takes effect (RFC 3339 or `now`)")
      ->capture_default_str();
  activate->callback([&r] {
    cpb::ActivateContractRequest req;
    req.set_name(aname);
    req.set_etag(etag);
    absl::StatusOr<google::protobuf::Timestamp> t = ParseTime(from, "--from");
    if (!t.ok()) return r.Fail(t.status());
    *req.mutable_effective_from() = *t;
    r.Run<cpb::Contract>("sla.contract.v1.ContractService/ActivateContract", req,
                         [](const cpb::Contract& c) { return ContractsTable({&c}); });
  });
}

// Events as a table: position, time, type, subject and what the payload says in brief.
std::string EventTable(Runner& r, const std::vector<const sla::v1::Event*>& events) {
  std::vector<std::vector<std::string>> rows = {{"SEQUENCE", "TIME", "TYPE", "SUBJECT", "DETAIL"}};
  for (const sla::v1::Event* e : events) {
    const sla::v1::EventPayload& p = e->payload();
    std::string detail;
    switch (p.kind_case()) {
      case sla::v1::EventPayload::kTicket: {
        const sla::v1::TicketEventPayload& t = p.ticket();
        detail = EnumName(sla::v1::Priority_descriptor(), t.priority());
        if (t.from_priority() != sla::v1::PRIORITY_UNSPECIFIED) {
          detail = absl::StrCat(EnumName(sla::v1::Priority_descriptor(), t.from_priority()), " → ",
                                detail);
        }
        if (t.clock() != sla::v1::CLOCK_KIND_UNSPECIFIED) {
          absl::StrAppend(&detail, " ", EnumName(sla::v1::ClockKind_descriptor(), t.clock()));
        }
        if (t.level() > 0) absl::StrAppend(&detail, " level ", t.level());
        if (!t.to_status().empty())
          absl::StrAppend(&detail, " ", t.from_status(), " → ", t.to_status());
        if (!t.exclusion_id().empty()) absl::StrAppend(&detail, " (", t.exclusion_id(), ")");
        if (!t.reason().empty()) absl::StrAppend(&detail, " — ", t.reason());
        break;
      }
      case sla::v1::EventPayload::kOutage:
        detail = absl::StrCat(p.outage().service_id(), p.outage().planned() ? " (planned)" : "");
        break;
      case sla::v1::EventPayload::kCredit:
        detail = absl::StrCat(
            p.credit().period(), " ", p.credit().currency(), " ",
            p.credit().total_minor() != 0 ? p.credit().total_minor() : p.credit().delta_minor(),
            " (minor units)");
        break;
      case sla::v1::EventPayload::kInvoice:
        detail = absl::StrCat(p.invoice().period(), " ", p.invoice().currency(), " ",
                              p.invoice().total_minor(), " (minor units)");
        break;
      case sla::v1::EventPayload::kTerminationRight:
        detail = absl::StrCat(p.termination_right().rule_id(), ": ",
                              p.termination_right().breached_periods(), " of ",
                              p.termination_right().window_periods(), " periods");
        break;
      case sla::v1::EventPayload::kReport:
        detail = absl::StrCat(p.report().period(), " revision ", p.report().revision());
        break;
      case sla::v1::EventPayload::kDeadLetter:
        detail = absl::StrCat(p.dead_letter().source(), " #", p.dead_letter().sequence(), ": ",
                              p.dead_letter().reason());
        break;
      case sla::v1::EventPayload::KIND_NOT_SET:
        detail = "-";
        break;
    }
    rows.push_back(
        {absl::StrCat(e->sequence()), r.When(e->event_time()), e->type(), e->subject(), detail});
  }
  return Table(rows);
}

// sla.v1.EventService/WatchEvents of the service `at`, printed as the events come.
void WatchStream(Runner& r, const std::string& at, int64_t after, int seconds) {
  sla::v1::WatchEventsRequest req;
  req.set_after(after);
  absl::StatusOr<const google::protobuf::MethodDescriptor*> m =
      FindMethod("sla.v1.EventService/WatchEvents");
  if (!m.ok()) return r.Fail(m.status());
  r.g.timeout_s = seconds > 0 ? seconds : 365 * 86400;
  absl::StatusOr<Session> session = r.Open();
  if (!session.ok()) return r.Fail(session.status());
  session->RouteTo(at);
  absl::Status st = session->Stream(*m, req, [&r](const google::protobuf::Message& msg) {
    sla::v1::Event e;
    e.ParseFromString(msg.SerializeAsString());
    if (r.g.output == "json") {
      std::cout << ToJson(e) << "\n" << std::flush;
    } else {
      std::cout << e.sequence() << "  " << r.When(e.event_time()) << "  " << e.type() << "  "
                << e.subject() << "\n"
                << std::flush;
    }
  });
  // The --for deadline is how a bounded watch ends, not a failure.
  if (!st.ok() && !(seconds > 0 && absl::IsDeadlineExceeded(st))) r.Fail(st);
}

void AddTicketOpen(CLI::App* noun, Runner& r) {
  auto show = [&r](const tpb::Ticket& t) { return TicketsTable(r, {&t}); };
  auto* open = noun->add_subcommand("open", "Open a ticket");
  static std::string parent, contract, service, priority = "PRIORITY_P3", title, description,
                                                reporter, request_id;
  open->add_option("customer", parent, "customers/{customer}")->required();
  open->add_option("--contract", contract, "customers/{customer}/contracts/{contract}")->required();
  open->add_option("--service", service, "a service id of the contract's terms")->required();
  open->add_option("--priority", priority, "PRIORITY_P1 … PRIORITY_P4")->capture_default_str();
  open->add_option("--title", title)->required();
  open->add_option("--description", description);
  open->add_option("--reporter", reporter, "who reported it");
  open->add_option("--request-id", request_id, "idempotency key");
  Example(open,
          "sla tickets open customers/c --contract customers/c/contracts/k --service service-desk "
          "--priority PRIORITY_P1 --title \"Mail is down\"");
  open->callback([&r, show] {
    tpb::CreateTicketRequest req;
    req.set_parent(parent);
    req.set_request_id(request_id);
    tpb::Ticket* t = req.mutable_ticket();
    t->set_contract(contract);
    t->set_service_id(service);
    sla::v1::Priority p;
    if (!sla::v1::Priority_Parse(priority, &p)) {
      return r.Fail(absl::InvalidArgumentError(
          absl::StrCat("--priority: `", priority, "` is not PRIORITY_P1 … PRIORITY_P4")));
    }
    t->set_priority(p);
    t->set_title(title);
    t->set_description(description);
    t->set_reporter(reporter);
    r.Run<tpb::Ticket>("sla.ticket.v1.TicketService/CreateTicket", req, show);
  });
}

void AddTicketReads(CLI::App* noun, Runner& r) {
  auto show = [&r](const tpb::Ticket& t) { return TicketsTable(r, {&t}); };
  auto* get = noun->add_subcommand("get", "Show a ticket with its clocks");
  static tpb::GetTicketRequest greq;
  get->add_option("name", *greq.mutable_name(), "customers/{customer}/tickets/{ticket}")
      ->required();
  get->callback(
      [&r, show] { r.Run<tpb::Ticket>("sla.ticket.v1.TicketService/GetTicket", greq, show); });

  auto* list = noun->add_subcommand(
      "list", "List tickets (the next-to-breach queue with --order-by next_due_time)");
  static tpb::ListTicketsRequest lreq;
  lreq.set_parent("customers/-");
  list->add_option("customer", *lreq.mutable_parent(),
                   "customers/{customer}; default customers/- (all you may read)");
  list->add_option("--filter", *lreq.mutable_filter(),
                   "e.g. 'priority = PRIORITY_P1 AND breached = false'");
  list->add_option("--order-by", *lreq.mutable_order_by(), "next_due_time");
  static int page_size = 0;
  list->add_option("--page-size", page_size, "1..1000");
  Example(list, "sla tickets list --order-by next_due_time --filter 'at_risk = true'");
  list->callback([&r] {
    lreq.set_page_size(page_size);
    r.Run<tpb::ListTicketsResponse>("sla.ticket.v1.TicketService/ListTickets", lreq,
                                    [&r](const tpb::ListTicketsResponse& out) {
                                      std::vector<const tpb::Ticket*> ts;
                                      for (const auto& t : out.tickets()) ts.push_back(&t);
                                      std::string table = TicketsTable(r, ts);
                                      if (!out.next_page_token().empty())
                                        table += "(more: -o json gives nextPageToken)\n";
                                      return table;
                                    });
  });
}

void AddTicketComment(CLI::App* noun, Runner& r) {
  auto* comment = noun->add_subcommand("comment", "Add a comment");
  static std::string cname, body, visibility = "PUBLIC";
  comment->add_option("name", cname, "the ticket")->required();
  comment->add_option("--body", body)->required();
  comment->add_option("--visibility", visibility, "PUBLIC or INTERNAL")->capture_default_str();
  comment->callback([&r] {
    tpb::AddCommentRequest req;
    req.set_parent(cname);
    req.mutable_comment()->set_body(body);
    tpb::Comment::Visibility v;
    if (!tpb::Comment::Visibility_Parse(visibility, &v)) {
      return r.Fail(absl::InvalidArgumentError(
          absl::StrCat("--visibility: `", visibility, "` is not PUBLIC or INTERNAL")));
    }
    req.mutable_comment()->set_visibility(v);
    r.Run<tpb::Comment>("sla.ticket.v1.TicketService/AddComment", req, [](const tpb::Comment& c) {
      return Table({{"NAME", "VISIBILITY"},
                    {c.name(), EnumName(tpb::Comment::Visibility_descriptor(), c.visibility())}});
    });
  });
}

void AddTicketTransitions(CLI::App* noun, Runner& r) {
  auto show = [&r](const tpb::Ticket& t) { return TicketsTable(r, {&t}); };
  // Status changes: one verb per target status.
  for (const auto& [verb, status, what] :
       std::vector<std::tuple<std::string, tpb::Ticket::Status, std::string>>{
           {"acknowledge", tpb::Ticket::ACKNOWLEDGED, "Acknowledge (stops the response clock)"},
           {"start", tpb::Ticket::IN_PROGRESS, "Start work (or reopen a resolved ticket)"},
           {"resolve", tpb::Ticket::RESOLVED, "Resolve (stops the resolution clock)"},
           {"close", tpb::Ticket::CLOSED, "Close"}}) {
    auto* cmd = noun->add_subcommand(verb, what);
    auto name = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    cmd->add_option("name", *name, "the ticket")->required();
    cmd->add_option("--reason", *reason, "why (kept in the SLA history)");
    cmd->callback([&r, show, name, reason, s = status] {
      tpb::TransitionTicketRequest req;
      req.set_name(*name);
      req.set_status(s);
      req.set_reason(*reason);
      r.Run<tpb::Ticket>("sla.ticket.v1.TicketService/TransitionTicket", req, show);
    });
  }
}

void AddTicketClockVerbs(CLI::App* noun, Runner& r) {
  auto show = [&r](const tpb::Ticket& t) { return TicketsTable(r, {&t}); };
  auto* pause = noun->add_subcommand(
      "pause", "Pause the clocks for a contract exclusion (e.g. waiting on the customer)");
  static std::string pname, exclusion, preason;
  pause->add_option("name", pname, "the ticket")->required();
  pause
      ->add_option("--exclusion", exclusion,
                   "an exclusion of the terms that pauses clocks, e.g. force-majeure")
      ->required();
  pause->add_option("--reason", preason, "why (kept in the SLA history)")->required();
  pause->callback([&r, show] {
    tpb::PauseClocksRequest req;
    req.set_name(pname);
    req.set_exclusion_id(exclusion);
    req.set_reason(preason);
    r.Run<tpb::Ticket>("sla.ticket.v1.TicketService/PauseClocks", req, show);
  });
  auto* resume = noun->add_subcommand("resume", "Resume paused clocks");
  static std::string rname, rreason;
  resume->add_option("name", rname, "the ticket")->required();
  resume->add_option("--reason", rreason, "why (kept in the SLA history)")->required();
  resume->callback([&r, show] {
    tpb::ResumeClocksRequest req;
    req.set_name(rname);
    req.set_reason(rreason);
    r.Run<tpb::Ticket>("sla.ticket.v1.TicketService/ResumeClocks", req, show);
  });
  auto* priority_cmd =
      noun->add_subcommand("priority", "Change a ticket's priority (its targets follow)");
  static std::string prname, prto, prreason;
  priority_cmd->add_option("name", prname, "the ticket")->required();
  priority_cmd->add_option("--to", prto, "PRIORITY_P1 … PRIORITY_P4")->required();
  priority_cmd->add_option("--reason", prreason, "why (kept in the SLA history)")->required();
  priority_cmd->callback([&r, show] {
    tpb::ChangePriorityRequest req;
    req.set_name(prname);
    sla::v1::Priority p;
    if (!sla::v1::Priority_Parse(prto, &p)) {
      return r.Fail(absl::InvalidArgumentError(
          absl::StrCat("--to: `", prto, "` is not PRIORITY_P1 … PRIORITY_P4")));
    }
    req.set_priority(p);
    req.set_reason(prreason);
    r.Run<tpb::Ticket>("sla.ticket.v1.TicketService/ChangePriority", req, show);
  });
}

void AddTicketViews(CLI::App* noun, Runner& r) {
  auto* escalations = noun->add_subcommand("escalations", "The escalation levels a ticket reached");
  static tpb::ListEscalationsRequest ereq;
  escalations->add_option("name", *ereq.mutable_parent(), "the ticket")->required();
  escalations->callback([&r] {
    r.Run<tpb::ListEscalationsResponse>(
        "sla.ticket.v1.TicketService/ListEscalations", ereq,
        [&r](const tpb::ListEscalationsResponse& out) {
          std::vector<std::vector<std::string>> rows = {
              {"TIME", "CLOCK", "LEVEL", "KIND", "BY", "REASON"}};
          for (const auto& e : out.escalations()) {
            rows.push_back({r.When(e.fire_time()),
                            EnumName(sla::v1::ClockKind_descriptor(), e.clock()),
                            absl::StrCat(e.level()),
                            e.warning()  ? "warning"
                            : e.manual() ? "manual"
                                         : "level",
                            e.actor().empty() ? "-" : e.actor(), e.reason()});
          }
          return Table(rows);
        });
  });
  auto* watch = noun->add_subcommand("watch", "Print ticket events as they happen (staff)");
  static int64_t after = 0;
  static int seconds = 0;
  watch->add_option("--after", after, "resume after this event sequence");
  watch->add_option("--for", seconds, "stop after this many seconds (0: until interrupted)");
  watch->callback([&r] { WatchStream(r, "ticket", after, seconds); });

  auto* history = noun->add_subcommand("history", "The SLA history of a ticket");
  static tpb::ListSlaHistoryRequest hreq;
  history->add_option("name", *hreq.mutable_parent(), "the ticket")->required();
  history->callback([&r] {
    r.Run<tpb::ListSlaHistoryResponse>(
        "sla.ticket.v1.TicketService/ListSlaHistory", hreq,
        [&r](const tpb::ListSlaHistoryResponse& out) {
          std::vector<std::vector<std::string>> rows = {{"#", "TIME", "CAUSE", "CLOCK", "DETAIL"}};
          for (const auto& e : out.entries()) {
            rows.push_back({absl::StrCat(e.sequence()), r.When(e.time()), e.cause(),
                            EnumName(sla::v1::ClockKind_descriptor(), e.clock()), e.detail()});
          }
          return Table(rows);
        });
  });
}

void AddTickets(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand("tickets", "Tickets and their SLA clocks (ticket-svc)");
  noun->require_subcommand(1);

  AddTicketOpen(noun, r);
  AddTicketReads(noun, r);
  AddTicketComment(noun, r);
  AddTicketTransitions(noun, r);
  AddTicketClockVerbs(noun, r);
  AddTicketViews(noun, r);
}

void AddCalendars(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand("calendars",
                                  "Business calendars: hours, holidays, time zone (contract-svc)");
  noun->require_subcommand(1);
  auto table = [](const std::vector<const sla::v1::BusinessCalendar*>& cs) {
    std::vector<std::vector<std::string>> rows = {
        {"NAME", "DISPLAY NAME", "TIME ZONE", "HOURS", "HOLIDAYS"}};
    for (const auto* c : cs) {
      rows.push_back({c->name(), c->display_name(), c->time_zone(),
                      c->always_open()
                          ? "24×7"
                          : absl::StrCat(c->weekly_intervals_size(), " intervals a week"),
                      absl::StrCat(c->holidays_size())});
    }
    return Table(rows);
  };
  auto* create = noun->add_subcommand("create", "Create a calendar from a JSON file (msp_admin)");
  static std::string id, file;
  create->add_option("id", id, "its id, e.g. bangkok-office")->required();
  create->add_option("-f,--file", file, "the calendar in JSON (sla.v1.BusinessCalendar)")
      ->required();
  Example(create, "sla calendars create bangkok-office -f office-hours.json");
  create->callback([&r, table] {
    cpb::CreateCalendarRequest req;
    req.set_calendar_id(id);
    if (absl::Status st = JsonFileInto(file, req.mutable_calendar()); !st.ok()) return r.Fail(st);
    r.Run<sla::v1::BusinessCalendar>(
        "sla.contract.v1.ContractService/CreateCalendar", req,
        [table](const sla::v1::BusinessCalendar& c) { return table({&c}); });
  });
  auto* list = noun->add_subcommand("list", "List calendars");
  list->callback([&r, table] {
    r.Run<cpb::ListCalendarsResponse>("sla.contract.v1.ContractService/ListCalendars",
                                      cpb::ListCalendarsRequest(),
                                      [table](const cpb::ListCalendarsResponse& out) {
                                        std::vector<const sla::v1::BusinessCalendar*> cs;
                                        for (const auto& c : out.calendars()) cs.push_back(&c);
                                        return table(cs);
                                      });
  });
}

void AddContractChecks(CLI::App* noun, Runner& r) {
  auto* lint = noun->add_subcommand("lint", "Check a contract's terms before activating them");
  static cpb::LintContractRequest lreq;
  lint->add_option("name", *lreq.mutable_name(), "the contract")->required();
  lint->callback([&r] {
    r.Run<cpb::LintContractResponse>(
        "sla.contract.v1.ContractService/LintContract", lreq,
        [](const cpb::LintContractResponse& out) {
          if (out.findings().empty()) return std::string("no findings\n");
          std::vector<std::vector<std::string>> rows = {{"SEVERITY", "RULE", "FIELD", "MESSAGE"}};
          for (const auto& f : out.findings()) {
            rows.push_back({EnumName(cpb::LintFinding::Severity_descriptor(), f.severity()),
                            f.rule(), f.field_path(), f.message()});
          }
          return Table(rows);
        });
  });
  auto* amend = noun->add_subcommand(
      "amend", "Amend an active contract: new terms from a time (a new version)");
  static std::string aname, aetag, afrom = "now", afile, arequest;
  amend->add_option("name", aname, "the contract")->required();
  amend->add_option("--etag", aetag, "the contract's current etag")->required();
  amend->add_option("--from", afrom, "when the new version takes effect (RFC 3339 or `now`)")
      ->capture_default_str();
  amend->add_option("-f,--terms", afile, "the new SLA terms in JSON")->required();
  amend->add_option("--request-id", arequest, "idempotency key");
  amend->callback([&r] {
    cpb::AmendContractRequest req;
    req.set_name(aname);
    req.set_etag(aetag);
    req.set_request_id(arequest);
    if (absl::Status st = JsonFileInto(afile, req.mutable_terms()); !st.ok()) return r.Fail(st);
    absl::StatusOr<google::protobuf::Timestamp> t = ParseTime(afrom, "--from");
    if (!t.ok()) return r.Fail(t.status());
    *req.mutable_effective_from() = *t;
    r.Run<cpb::Contract>("sla.contract.v1.ContractService/AmendContract", req,
                         [](const cpb::Contract& c) { return ContractsTable({&c}); });
  });
}

void AddContractEnds(CLI::App* noun, Runner& r) {
  auto* terminate = noun->add_subcommand("terminate", "Terminate a contract at a time");
  static std::string tname, tetag, at = "now", reason;
  static bool for_cause = false;
  terminate->add_option("name", tname, "the contract")->required();
  terminate->add_option("--etag", tetag, "the contract's etag")->required();
  terminate->add_option("--at", at, "when it ends (RFC 3339 or `now`)")->capture_default_str();
  terminate->add_option("--reason", reason, "why the contract ends")->required();
  terminate->add_flag("--for-cause", for_cause,
                      "terminated for the MSP's breach (the termination right)");
  terminate->callback([&r] {
    cpb::TerminateContractRequest req;
    req.set_name(tname);
    req.set_etag(tetag);
    req.set_reason(reason);
    req.set_for_cause(for_cause);
    absl::StatusOr<google::protobuf::Timestamp> t = ParseTime(at, "--at");
    if (!t.ok()) return r.Fail(t.status());
    *req.mutable_effective_time() = *t;
    r.Run<cpb::Contract>("sla.contract.v1.ContractService/TerminateContract", req,
                         [](const cpb::Contract& c) { return ContractsTable({&c}); });
  });
  auto* render = noun->add_subcommand(
      "render", "Write the agreement customers read (Thai and English) to a file");
  static std::string rname, format = "html", out_file;
  render->add_option("name", rname, "the contract")->required();
  render->add_option("--format", format, "html or markdown")
      ->check(CLI::IsMember({"html", "markdown"}))
      ->capture_default_str();
  render->add_option("-o,--out", out_file, "the file to write")->required();
  Example(render, "sla contracts render customers/c/contracts/k --format html -o agreement.html");
  render->callback([&r] {
    cpb::RenderAgreementRequest req;
    req.set_name(rname);
    req.set_format(format == "html" ? cpb::RenderAgreementRequest::HTML
                                    : cpb::RenderAgreementRequest::MARKDOWN);
    absl::StatusOr<cpb::RenderAgreementResponse> out = r.Fetch<cpb::RenderAgreementResponse>(
        "sla.contract.v1.ContractService/RenderAgreement", req);
    if (!out.ok()) return r.Fail(out.status());
    if (absl::Status st = WriteFile(out_file, out->content()); !st.ok()) return r.Fail(st);
    std::cout << "wrote " << out_file << " (" << out->content().size() << " bytes, "
              << out->content_type() << ")\n";
  });
}

void AddContractVerbs(CLI::App& app, Runner& r) {
  auto* noun = app.get_subcommand("contracts");
  AddContractChecks(noun, r);
  AddContractEnds(noun, r);
}

void AddOutages(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand(
      "outages", "Outages of a service: availability and its credits (ticket-svc)");
  noun->require_subcommand(1);
  auto table = [&r](const std::vector<const tpb::Outage*>& os) {
    std::vector<std::vector<std::string>> rows = {{"NAME", "SERVICE", "START", "END", "PLANNED"}};
    for (const auto* o : os) {
      rows.push_back({o->name(), o->service_id(), r.When(o->start_time()),
                      o->has_end_time() ? r.When(o->end_time()) : "open",
                      o->planned() ? "yes" : "no"});
    }
    return Table(rows);
  };
  auto* open = noun->add_subcommand("open", "Record an outage (open until closed, or with --end)");
  static std::string parent, contract, service, start = "now", end;
  open->add_option("customer", parent, "customers/{customer}")->required();
  open->add_option("--contract", contract)->required();
  open->add_option("--service", service, "a service id of the terms")->required();
  open->add_option("--start", start, "RFC 3339 or `now`")->capture_default_str();
  open->add_option("--end", end, "RFC 3339; empty = still down");
  Example(open,
          "sla outages open customers/c --contract customers/c/contracts/k --service email-hosting "
          "--start 2026-12-02T08:00:00+07:00");
  open->callback([&r, table] {
    tpb::CreateOutageRequest req;
    req.set_parent(parent);
    req.mutable_outage()->set_contract(contract);
    req.mutable_outage()->set_service_id(service);
    absl::StatusOr<google::protobuf::Timestamp> t = ParseTime(start, "--start");
    if (!t.ok()) return r.Fail(t.status());
    *req.mutable_outage()->mutable_start_time() = *t;
    if (!end.empty()) {
      absl::StatusOr<google::protobuf::Timestamp> e = ParseTime(end, "--end");
      if (!e.ok()) return r.Fail(e.status());
      *req.mutable_outage()->mutable_end_time() = *e;
    }
    r.Run<tpb::Outage>("sla.ticket.v1.TicketService/CreateOutage", req,
                       [table](const tpb::Outage& o) { return table({&o}); });
  });
  auto* close = noun->add_subcommand("close", "Close an open outage");
  static std::string cname, cend = "now";
  close->add_option("name", cname, "the outage")->required();
  close->add_option("--end", cend, "RFC 3339 or `now`")->capture_default_str();
  close->callback([&r, table] {
    tpb::CloseOutageRequest req;
    req.set_name(cname);
    absl::StatusOr<google::protobuf::Timestamp> e = ParseTime(cend, "--end");
    if (!e.ok()) return r.Fail(e.status());
    *req.mutable_end_time() = *e;
    r.Run<tpb::Outage>("sla.ticket.v1.TicketService/CloseOutage", req,
                       [table](const tpb::Outage& o) { return table({&o}); });
  });
  auto* list = noun->add_subcommand("list", "List outages");
  static tpb::ListOutagesRequest lreq;
  lreq.set_parent("customers/-");
  list->add_option("customer", *lreq.mutable_parent(), "customers/{customer}; default customers/-");
  list->add_option("--filter", *lreq.mutable_filter(),
                   "e.g. 'open = true AND service_id = email-hosting'");
  list->callback([&r, table] {
    r.Run<tpb::ListOutagesResponse>("sla.ticket.v1.TicketService/ListOutages", lreq,
                                    [table](const tpb::ListOutagesResponse& out) {
                                      std::vector<const tpb::Outage*> os;
                                      for (const auto& o : out.outages()) os.push_back(&o);
                                      return table(os);
                                    });
  });
}

template <typename Doc>
std::string DocumentsTable(const google::protobuf::RepeatedPtrField<Doc>& docs) {
  std::vector<std::vector<std::string>> rows = {{"NUMBER", "CONTRACT", "PERIOD", "TOTAL", "NAME"}};
  for (const Doc& d : docs) {
    rows.push_back({d.number(), d.contract(),
                    absl::StrFormat("%04d-%02d", d.period().year(), d.period().month()),
                    Money(d.total()), d.name()});
  }
  return Table(rows);
}

void AddBilling(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand("billing", "Credits, invoices and credit notes (billing-svc)");
  noun->require_subcommand(1);
  auto* preview = noun->add_subcommand("preview", "The credits a period has earned so far");
  static std::string contract, period;
  preview->add_option("contract", contract, "customers/{customer}/contracts/{contract}")
      ->required();
  preview->add_option("--period", period, "YYYY-MM")->required();
  preview->callback([&r] {
    bpb::PreviewCreditsRequest req;
    req.set_contract(contract);
    absl::StatusOr<bpb::BillingPeriod> p = ParsePeriod(period);
    if (!p.ok()) return r.Fail(p.status());
    *req.mutable_period() = *p;
    r.Run<bpb::PreviewCreditsResponse>(
        "sla.billing.v1.BillingService/PreviewCredits", req,
        [](const bpb::PreviewCreditsResponse& out) {
          std::vector<std::vector<std::string>> rows = {{"CREDIT", "RULE", "AMOUNT"}};
          for (const auto& l : out.credits())
            rows.push_back({l.description(), l.rule_id(), Money(l.amount())});
          rows.push_back({"total", "", Money(out.total())});
          return Table(rows);
        });
  });
  auto* close = noun->add_subcommand(
      "close", "Close a period: its invoice and credit note (msp_admin, billing_system)");
  static std::string ccontract, cperiod;
  close->add_option("contract", ccontract)->required();
  close->add_option("--period", cperiod, "YYYY-MM")->required();
  close->callback([&r] {
    bpb::ClosePeriodRequest req;
    req.set_contract(ccontract);
    absl::StatusOr<bpb::BillingPeriod> p = ParsePeriod(cperiod);
    if (!p.ok()) return r.Fail(p.status());
    *req.mutable_period() = *p;
    r.Run<bpb::ClosePeriodResponse>(
        "sla.billing.v1.BillingService/ClosePeriod", req, [](const bpb::ClosePeriodResponse& out) {
          std::vector<std::vector<std::string>> rows = {{"DOCUMENT", "NUMBER", "TOTAL"}};
          rows.push_back({"invoice", out.invoice().number(), Money(out.invoice().total())});
          if (!out.credit_note().number().empty()) {
            rows.push_back(
                {"credit note", out.credit_note().number(), Money(out.credit_note().total())});
          }
          return Table(rows) + (out.newly_closed() ? "" : "(closed before: the same documents)\n");
        });
  });
  for (const bool invoices : {true, false}) {
    auto* cmd = noun->add_subcommand(
        invoices ? "invoices" : "credit-notes",
        invoices ? "List invoices" : "List credit notes (--filter 'series = DN': debit notes)");
    auto parent = std::make_shared<std::string>("customers/-");
    auto filter = std::make_shared<std::string>();
    auto order = std::make_shared<std::string>();
    cmd->add_option("customer", *parent, "customers/{customer}; default customers/-");
    cmd->add_option("--filter", *filter, "e.g. 'period = 2026-12'");
    cmd->add_option("--order-by", *order, "issue_time or 'issue_time desc'");
    cmd->callback([&r, invoices, parent, filter, order] {
      if (invoices) {
        bpb::ListInvoicesRequest req;
        req.set_parent(*parent);
        req.set_filter(*filter);
        req.set_order_by(*order);
        r.Run<bpb::ListInvoicesResponse>(
            "sla.billing.v1.BillingService/ListInvoices", req,
            [](const bpb::ListInvoicesResponse& out) { return DocumentsTable(out.invoices()); });
      } else {
        bpb::ListCreditNotesRequest req;
        req.set_parent(*parent);
        req.set_filter(*filter);
        req.set_order_by(*order);
        r.Run<bpb::ListCreditNotesResponse>("sla.billing.v1.BillingService/ListCreditNotes", req,
                                            [](const bpb::ListCreditNotesResponse& out) {
                                              return DocumentsTable(out.credit_notes());
                                            });
      }
    });
  }
}

void AddReportReads(CLI::App* noun, Runner& r) {
  auto table = [](const rpb::Report& rep) {
    return Table({{"NAME", "PERIOD", "REVISION", "ISSUED"},
                  {rep.name(), rep.period(), absl::StrCat(rep.revision()),
                   rep.has_issue_time() ? TimeUtil::ToString(rep.issue_time()) : "-"}});
  };
  auto* get = noun->add_subcommand("get", "Show a report (-o json for everything in it)");
  static rpb::GetReportRequest greq;
  get->add_option("name", *greq.mutable_name(), "customers/{c}/contracts/{k}/reports/YYYY-MM")
      ->required();
  get->callback([&r, table] {
    r.Run<rpb::Report>("sla.reporting.v1.ReportingService/GetReport", greq, table);
  });
  auto* issue = noun->add_subcommand("issue", "Issue (or reissue) a period's report");
  static rpb::IssueReportRequest ireq;
  issue->add_option("name", *ireq.mutable_name(), "customers/{c}/contracts/{k}/reports/YYYY-MM")
      ->required();
  issue->callback([&r, table] {
    r.Run<rpb::Report>("sla.reporting.v1.ReportingService/IssueReport", ireq, table);
  });
  auto* list = noun->add_subcommand("list", "List a contract's reports");
  static rpb::ListReportsRequest lreq;
  list->add_option("contract", *lreq.mutable_parent(), "customers/{c}/contracts/{k}")->required();
  list->callback([&r] {
    r.Run<rpb::ListReportsResponse>(
        "sla.reporting.v1.ReportingService/ListReports", lreq,
        [](const rpb::ListReportsResponse& out) {
          std::vector<std::vector<std::string>> rows = {{"NAME", "PERIOD", "REVISION"}};
          for (const auto& rep : out.reports())
            rows.push_back({rep.name(), rep.period(), absl::StrCat(rep.revision())});
          return Table(rows);
        });
  });
}

void AddReportTools(CLI::App* noun, Runner& r) {
  auto* simulate =
      noun->add_subcommand("simulate", "What-if: past tickets measured against proposed terms");
  static std::string subject, proposed;
  static int lookback = 3;
  simulate->add_option("contract", subject, "the contract whose history is replayed")->required();
  simulate->add_option("-f,--terms", proposed, "the proposed SLA terms in JSON")->required();
  simulate->add_option("--lookback", lookback, "past periods to replay")->capture_default_str();
  Example(simulate, "sla reports simulate customers/c/contracts/k -f tighter-p1.json --lookback 6");
  simulate->callback([&r] {
    rpb::SimulateTermsRequest req;
    req.set_subject(subject);
    req.set_lookback_periods(lookback);
    if (absl::Status st = JsonFileInto(proposed, req.mutable_proposed_terms()); !st.ok())
      return r.Fail(st);
    r.Run<rpb::SimulateTermsResponse>(
        "sla.reporting.v1.ReportingService/SimulateTerms", req,
        [](const rpb::SimulateTermsResponse& out) {
          std::vector<std::vector<std::string>> rows = {
              {"PERIOD", "PREDICTED BREACHES", "CREDIT EXPOSURE"}};
          for (const auto& p : out.periods()) {
            sla::v1::Money m;
            m.set_amount_minor(p.credit_exposure_minor());
            m.set_currency_code(p.currency());
            rows.push_back({p.period(), absl::StrCat(p.predicted_breaches()), Money(m)});
          }
          sla::v1::Money total;
          total.set_amount_minor(out.credit_exposure_minor());
          total.set_currency_code(out.currency());
          rows.push_back({"total",
                          absl::StrCat(out.periods_with_breaches(), " periods with breaches"),
                          Money(total)});
          std::string text = Table(rows);
          for (const std::string& n : out.notes()) absl::StrAppend(&text, "note: ", n, "\n");
          return text;
        });
  });
  auto* exp =
      noun->add_subcommand("export", "Write a report as HTML (with charts), CSV or JSON to a file");
  static std::string ename, format = "html", out_file;
  exp->add_option("name", ename, "the report")->required();
  exp->add_option("--format", format, "html, csv or json")
      ->check(CLI::IsMember({"html", "csv", "json"}))
      ->capture_default_str();
  exp->add_option("-o,--out", out_file, "the file to write; default: the report's own file name");
  Example(
      exp,
      "sla reports export customers/c/contracts/k/reports/2026-12 --format html -o december.html");
  exp->callback([&r] {
    rpb::ExportReportRequest req;
    req.set_name(ename);
    req.set_format(format == "html"  ? rpb::REPORT_FORMAT_HTML
                   : format == "csv" ? rpb::REPORT_FORMAT_CSV
                                     : rpb::REPORT_FORMAT_JSON);
    absl::StatusOr<rpb::ExportReportResponse> out =
        r.Fetch<rpb::ExportReportResponse>("sla.reporting.v1.ReportingService/ExportReport", req);
    if (!out.ok()) return r.Fail(out.status());
    const std::string path = out_file.empty() ? out->file_name() : out_file;
    if (absl::Status st = WriteFile(path, out->content()); !st.ok()) return r.Fail(st);
    std::cout << "wrote " << path << " (" << out->content().size() << " bytes, "
              << out->content_type() << ")\n";
  });
}

void AddReports(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand("reports", "SLA compliance reports (reporting-svc)");
  noun->require_subcommand(1);
  AddReportReads(noun, r);
  AddReportTools(noun, r);
}

// An example for every command that has none yet, so each --help shows one.
void AddEventStreams(CLI::App* noun, Runner& r) {
  auto stream = [&r](CLI::App* cmd) {
    cmd->add_option("--at", r.g.at, "the stream: ticket, billing or reporting")
        ->required()
        ->check(CLI::IsMember({"ticket", "billing", "reporting"}));
  };
  auto* list = noun->add_subcommand("list", "A page of a service's event stream, typed");
  stream(list);
  static sla::v1::ListEventsRequest lreq;
  list->add_option(
      "--after",
      [](const CLI::results_t& v) {
        int64_t n = 0;
        if (!absl::SimpleAtoi(v[0], &n)) return false;
        lreq.set_after(n);
        return true;
      },
      "events after this sequence number (default 0)");
  list->add_option(
      "--limit",
      [](const CLI::results_t& v) {
        int n = 0;
        if (!absl::SimpleAtoi(v[0], &n)) return false;
        lreq.set_page_size(n);
        return true;
      },
      "at most this many (1..1000, default 100)");
  Example(list, "sla events list --at billing --after 1200 -o json");
  list->callback([&r] {
    r.Run<sla::v1::ListEventsResponse>(
        "sla.v1.EventService/ListEvents", lreq, [&r](const sla::v1::ListEventsResponse& out) {
          std::vector<const sla::v1::Event*> events;
          for (const auto& e : out.events()) events.push_back(&e);
          return EventTable(r, events) +
                 absl::StrCat(out.stream(), " ", out.epoch(), ": last ", out.last_sequence(), "\n");
        });
  });
  auto* watch = noun->add_subcommand("watch", "Print a service's events as they happen, typed");
  stream(watch);
  static int64_t after = 0;
  static int seconds = 0;
  watch->add_option("--after", after, "resume after this event sequence");
  watch->add_option("--for", seconds, "stop after this many seconds (0: until interrupted)");
  Example(watch, "sla events watch --at ticket --for 60");
  watch->callback([&r] { WatchStream(r, r.g.at, after, seconds); });
}

constexpr char kConsumerService[] = "sla.v1.EventConsumerService/";

// `--at`: the consumer asked (billing-svc's or reporting-svc's).
void ConsumerAtOption(CLI::App* cmd, Runner& r) {
  cmd->add_option("--at", r.g.at, "billing or reporting")
      ->required()
      ->check(CLI::IsMember({"billing", "reporting"}));
}

// A stream position's number (int64: CLI11 has no parser for a proto's setter).
void SequenceArgument(CLI::App* cmd, const char* what, std::function<void(int64_t)> set) {
  cmd->add_option(
         "sequence",
         [set](const CLI::results_t& v) {
           int64_t n = 0;
           if (!absl::SimpleAtoi(v[0], &n)) return false;
           set(n);
           return true;
         },
         what)
      ->required();
}

std::string DeadLetterTable(const std::vector<const sla::v1::DeadLetter*>& ds) {
  std::vector<std::vector<std::string>> rows = {
      {"SOURCE", "EPOCH", "SEQUENCE", "TYPE", "SUBJECT", "STATE", "TRIES", "REASON"}};
  for (const auto* d : ds) {
    rows.push_back({d->source(), d->epoch(), absl::StrCat(d->sequence()), d->type(), d->subject(),
                    d->state(), absl::StrCat(d->attempts()), d->reason()});
  }
  return Table(rows);
}

void AddEventCursors(CLI::App* noun, Runner& r) {
  auto* cursors =
      noun->add_subcommand("cursors", "Where each consumer stands in the streams it follows");
  ConsumerAtOption(cursors, r);
  Example(cursors, "sla events cursors --at billing");
  cursors->callback([&r] {
    r.Run<sla::v1::ListConsumerCursorsResponse>(
        absl::StrCat(kConsumerService, "ListConsumerCursors"),
        sla::v1::ListConsumerCursorsRequest(),
        [&r](const sla::v1::ListConsumerCursorsResponse& out) {
          std::vector<std::vector<std::string>> rows = {
              {"SOURCE", "EPOCH", "SEQUENCE", "LAST EVENT", "APPLIED", "STOPPED"}};
          for (const auto& c : out.cursors()) {
            rows.push_back({c.source(), c.epoch(), absl::StrCat(c.sequence()),
                            c.has_last_event_time() ? r.When(c.last_event_time()) : "-",
                            c.has_apply_time() ? r.When(c.apply_time()) : "-",
                            c.stopped_reason().empty() ? "-" : c.stopped_reason()});
          }
          return Table(rows);
        });
  });
}

void AddEventDeadLetters(CLI::App* noun, Runner& r) {
  auto* dead = noun->add_subcommand("dead-letters", "Events a consumer set aside, with the reason");
  ConsumerAtOption(dead, r);
  static sla::v1::ListDeadLettersRequest dreq;
  dead->add_option("--state", *dreq.mutable_state(), "dead (default), replayed or all");
  Example(dead, "sla events dead-letters --at reporting");
  dead->callback([&r] {
    r.Run<sla::v1::ListDeadLettersResponse>(absl::StrCat(kConsumerService, "ListDeadLetters"), dreq,
                                            [](const sla::v1::ListDeadLettersResponse& out) {
                                              std::vector<const sla::v1::DeadLetter*> ds;
                                              for (const auto& d : out.dead_letters())
                                                ds.push_back(&d);
                                              return DeadLetterTable(ds);
                                            });
  });
  auto* replay =
      noun->add_subcommand("replay", "Apply a set-aside event again, once its cause is fixed");
  ConsumerAtOption(replay, r);
  static sla::v1::ReplayDeadLetterRequest rreq;
  replay->add_option("source", *rreq.mutable_source(), "the followed stream, e.g. ticket-svc")
      ->required();
  replay->add_option("epoch", *rreq.mutable_epoch())->required();
  SequenceArgument(replay, "the event's sequence number", [](int64_t n) { rreq.set_sequence(n); });
  Example(replay, "sla events replay --at reporting ticket-svc 3f1c…e2 1042");
  replay->callback([&r] {
    r.Run<sla::v1::DeadLetter>(absl::StrCat(kConsumerService, "ReplayDeadLetter"), rreq,
                               [](const sla::v1::DeadLetter& d) { return DeadLetterTable({&d}); });
  });
  auto* reset = noun->add_subcommand("reset",
                                     "Resume a stopped consumer on the producer's new history "
                                     "(docs/operations.md, \"Event streams\")");
  ConsumerAtOption(reset, r);
  static sla::v1::ResetConsumerCursorRequest sreq;
  reset->add_option("source", *sreq.mutable_source(), "the followed stream, e.g. ticket-svc")
      ->required();
  reset->add_option("epoch", *sreq.mutable_epoch(), "the producer's current epoch")->required();
  SequenceArgument(reset, "resume after this sequence number",
                   [](int64_t n) { sreq.set_sequence(n); });
  reset->add_option("--reason", *sreq.mutable_reason(), "why, for the log")->required();
  Example(reset,
          "sla events reset --at billing ticket-svc 9a0e…41 51200 --reason \"ticket DB restored "
          "from the 02:00 backup\"");
  reset->callback([&r] {
    r.Run<sla::v1::ConsumerCursor>(
        absl::StrCat(kConsumerService, "ResetConsumerCursor"), sreq,
        [](const sla::v1::ConsumerCursor& c) {
          return Table({{"SOURCE", "EPOCH", "SEQUENCE"},
                        {c.source(), c.epoch(), absl::StrCat(c.sequence())}});
        });
  });
}

void AddEventConsumers(CLI::App* noun, Runner& r) {
  AddEventCursors(noun, r);
  AddEventDeadLetters(noun, r);
}

void AddEvents(CLI::App& app, Runner& r) {
  auto* noun = app.add_subcommand(
      "events",
      "Event streams (staff) and the consumers of billing-svc and reporting-svc (msp_admin)");
  noun->require_subcommand(1);
  AddEventStreams(noun, r);
  AddEventConsumers(noun, r);
}

void AddExamples(CLI::App& app) {
  static const std::map<std::string, std::string> kExamples = {
      {"config show", "sla --profile staging config show"},
      {"config use", "sla config use staging"},
      {"customers get", "sla customers get customers/cust-0123456789abcdef"},
      {"customers list", "sla customers list --filter 'state = ACTIVE'"},
      {"calendars list", "sla -o json calendars list"},
      {"contracts get", "sla -o json contracts get customers/c/contracts/k"},
      {"contracts list", "sla contracts list customers/- --filter 'state = ACTIVE'"},
      {"contracts lint", "sla contracts lint customers/c/contracts/k"},
      {"contracts activate",
       "sla contracts activate customers/c/contracts/k --etag 3 --from 2027-01-01T00:00:00+07:00"},
      {"contracts amend",
       "sla contracts amend customers/c/contracts/k --etag 4 --from 2027-04-01T00:00:00+07:00 -f "
       "terms-v2.json"},
      {"contracts terminate",
       "sla contracts terminate customers/c/contracts/k --etag 5 --at 2027-06-30T17:00:00Z "
       "--reason \"not renewed\""},
      {"tickets get", "sla tickets get customers/c/tickets/t"},
      {"tickets comment",
       "sla tickets comment customers/c/tickets/t --body \"Replaced the switch\" --visibility "
       "PUBLIC"},
      {"tickets acknowledge", "sla tickets acknowledge customers/c/tickets/t"},
      {"tickets start", "sla tickets start customers/c/tickets/t --reason \"engineer on site\""},
      {"tickets resolve",
       "sla tickets resolve customers/c/tickets/t --reason \"mail flows again\""},
      {"tickets close", "sla tickets close customers/c/tickets/t"},
      {"tickets pause",
       "sla tickets pause customers/c/tickets/t --exclusion force-majeure --reason \"flood\""},
      {"tickets resume", "sla tickets resume customers/c/tickets/t --reason \"power is back\""},
      {"tickets priority",
       "sla tickets priority customers/c/tickets/t --to PRIORITY_P2 --reason \"one user only\""},
      {"tickets history", "sla tickets history customers/c/tickets/t"},
      {"tickets escalations", "sla tickets escalations customers/c/tickets/t"},
      {"tickets watch", "sla tickets watch --after 1200"},
      {"outages close", "sla outages close customers/c/outages/o --end 2026-12-02T09:30:00+07:00"},
      {"outages list", "sla outages list --filter 'open = true'"},
      {"billing preview", "sla billing preview customers/c/contracts/k --period 2026-12"},
      {"billing close", "sla billing close customers/c/contracts/k --period 2026-12"},
      {"billing invoices", "sla billing invoices customers/c --order-by 'issue_time desc'"},
      {"billing credit-notes", "sla billing credit-notes --filter 'period = 2026-12'"},
      {"reports get", "sla -o json reports get customers/c/contracts/k/reports/2026-12"},
      {"reports issue", "sla reports issue customers/c/contracts/k/reports/2026-12"},
      {"reports list", "sla reports list customers/c/contracts/k"},
      {"health", "sla health --target 127.0.0.1:50052 --service sla.ticket.v1.TicketService"},
  };
  for (CLI::App* noun : app.get_subcommands({})) {
    auto verbs = noun->get_subcommands({});
    // Subcommands inherit their parent's footer when created: only an "Example:" counts.
    if (verbs.empty() && !absl::StrContains(noun->get_footer(), "Example:")) {
      if (auto it = kExamples.find(noun->get_name()); it != kExamples.end())
        Example(noun, it->second);
    }
    for (CLI::App* verb : verbs) {
      if (absl::StrContains(verb->get_footer(), "Example:")) continue;
      if (auto it = kExamples.find(noun->get_name() + " " + verb->get_name());
          it != kExamples.end()) {
        Example(verb, it->second);
      }
    }
  }
}
}  // namespace
}  // namespace sla::cli

int main(int argc, char** argv) {
  using namespace sla::cli;
  CLI::App app{
      "sla: the SLA platform's command line. Tables by default, -o json for scripts.\n"
      "Exit codes: 0 ok, 1 other error, 2 bad input, 3 not found, 4 not allowed or no valid "
      "token,\n"
      "5 conflict (exists, stale etag, wrong state), 6 the suite is unreachable or busy."};
  app.require_subcommand(1);
  Runner r;
  app.add_option("--profile", r.g.profile, "profile of the config file (sla config show)");
  app.add_option("-o,--output", r.g.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--token", r.g.token,
                 "bearer token or API key for this run (else SLA_TOKEN, else the profile)");
  app.add_option("--time-zone", r.g.time_zone, "zone for times in tables (else $TZ, else UTC)");
  app.add_option("--timeout", r.g.timeout_s, "seconds per call")->capture_default_str();
  app.footer(
      "Anything else: sla call Service/Method JSON. sla COMMAND --help shows a command's flags and "
      "an example.");
  AddConfig(app, r);
  AddCall(app, r);
  AddCustomers(app, r);
  AddContracts(app, r);
  AddContractVerbs(app, r);
  AddCalendars(app, r);
  AddTickets(app, r);
  AddOutages(app, r);
  AddBilling(app, r);
  AddReports(app, r);
  AddEvents(app, r);
  AddToken(app, r);
  AddHealth(app, r);
  AddExamples(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }
  return r.exit_code;
}
