// The `sla` command against contract-svc and ticket-svc running as processes: what a person
// and a script see (tables, -o json parsed back, exit codes and messages for bad input).
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "sla/contract/v1/contract_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"
#include "sla/v1/event_service.pb.h"
#include "tests/suite_fixture.h"

namespace sla {
namespace {

namespace cpb = sla::contract::v1;
namespace tpb = sla::ticket::v1;

struct Result {
  int code = -1;
  std::string out, err;
};

class CliTest : public SuiteProcessTest {
 protected:
  void SetUp() override {
    contract_db_ = NewDatabase("cli");
    ticket_db_ = NewDatabase("cli");
    ASSERT_TRUE(contract_db_ && ticket_db_);
    contract_ = Start(SLA_CONTRACT_SVC, *contract_db_, "contract.log");
    const int contract_port = contract_->WaitForPort();
    ASSERT_GT(contract_port, 0);
    ticket_ = Start(SLA_TICKET_SVC, *ticket_db_, "ticket.log",
                    {absl::StrCat("--contract_address=127.0.0.1:", contract_port)});
    const int ticket_port = ticket_->WaitForPort();
    ASSERT_GT(ticket_port, 0);
    billing_db_ = NewDatabase("cli");
    reporting_db_ = NewDatabase("cli");
    ASSERT_TRUE(billing_db_ && reporting_db_);
    const std::string c = absl::StrCat("--contract_address=127.0.0.1:", contract_port);
    const std::string t = absl::StrCat("--ticket_address=127.0.0.1:", ticket_port);
    billing_ = Start(SLA_BILLING_SVC, *billing_db_, "billing.log", {c, t});
    const int billing_port = billing_->WaitForPort();
    ASSERT_GT(billing_port, 0);
    reporting_ = Start(SLA_REPORTING_SVC, *reporting_db_, "reporting.log",
                       {c, t, absl::StrCat("--billing_address=127.0.0.1:", billing_port)});
    const int reporting_port = reporting_->WaitForPort();
    ASSERT_GT(reporting_port, 0);
    config_ = dir_ + "/config.json";
    ASSERT_EQ(Sla({"config", "set", "billing", absl::StrCat("127.0.0.1:", billing_port)}).code, 0);
    ASSERT_EQ(Sla({"config", "set", "reporting", absl::StrCat("127.0.0.1:", reporting_port)}).code,
              0);
    // A fresh profile pointing at these processes, with an msp_admin token, set as a person would.
    ASSERT_EQ(Sla({"config", "set", "contract", absl::StrCat("127.0.0.1:", contract_port)}).code,
              0);
    ASSERT_EQ(Sla({"config", "set", "ticket", absl::StrCat("127.0.0.1:", ticket_port)}).code, 0);
    auto token =
        server::MintToken(jwt_, {"cli-user", "", {"msp_admin"}}, absl::Now(), absl::Minutes(30));
    ASSERT_TRUE(token.ok());
    ASSERT_EQ(Sla({"config", "set", "token", *token}).code, 0);
  }

  // Runs `sla args…` with the test's config file; stdout, stderr and the exit code.
  Result Sla(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    std::string cmd = absl::StrCat("SLA_CONFIG='", config_, "' TZ=", tz_, " '", SLA_CLI, "'");
    for (const std::string& a : args) {
      std::string quoted = "'";
      for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
      absl::StrAppend(&cmd, " ", quoted, "'");
    }
    const std::string err_file = dir_ + "/cli.err", in_file = dir_ + "/cli.in";
    std::ofstream(in_file) << stdin_text;
    absl::StrAppend(&cmd, " <'", in_file, "' 2>'", err_file, "'");
    Result r;
    FILE* p = popen(cmd.c_str(), "r");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(err_file);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    // SLA_CLI_SHOW=1 prints the session as a person would see it in a terminal.
    if (std::getenv("SLA_CLI_SHOW") != nullptr) {
      std::cout << "$ sla " << absl::StrJoin(args, " ") << "\n"
                << r.out << r.err << "[exit " << r.code << "]\n";
    }
    return r;
  }

  template <typename T>
  static T Parse(const Result& r) {
    T out;
    const auto s = google::protobuf::util::JsonStringToMessage(r.out, &out);
    EXPECT_TRUE(s.ok()) << s.message() << " in " << r.out;
    return out;
  }

  std::unique_ptr<test::ScratchDatabase> contract_db_, ticket_db_, billing_db_, reporting_db_;
  std::unique_ptr<ServiceProcess> contract_, ticket_, billing_, reporting_;
  std::string config_;
  std::string tz_ = "Asia/Bangkok";  // the terminal's zone
};

TEST_F(CliTest, FromCustomerToTicketAsTablesAndAsJson) {
  Result r =
      Sla({"customers", "create", "--name", "บริษัท แอคมี จำกัด", "--time-zone", "Asia/Bangkok"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "DISPLAY NAME")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "บริษัท แอคมี จำกัด")) << r.out;
  r = Sla({"-o", "json", "customers", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto customers = Parse<cpb::ListCustomersResponse>(r);
  ASSERT_EQ(customers.customers_size(), 1) << r.out;
  const std::string customer = customers.customers(0).name();

  // One calendar from a file, one through `call`.
  const std::string calendar_file = dir_ + "/office.json";
  std::ofstream(calendar_file) << R"({"displayName": "Bangkok office", "timeZone": "Asia/Bangkok",
    "weeklyIntervals": [{"day": "MONDAY", "startMinute": 540, "endMinute": 1020}]})";
  r = Sla({"calendars", "create", "bangkok-office", "-f", calendar_file});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla(
      {"call", "sla.contract.v1.ContractService/CreateCalendar",
       R"({"calendarId": "always-on", "calendar": {"displayName": "Always", "timeZone": "Asia/Bangkok", "alwaysOpen": true}})"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla({"calendars", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "calendars/bangkok-office")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "24×7")) << r.out;
  r = Sla({"-o", "json", "contracts", "create", customer, "--name", "Managed IT", "-f",
           SLA_EXAMPLE_TERMS});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto draft = Parse<cpb::Contract>(r);
  r = Sla({"contracts", "lint", draft.name()});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Sla({"contracts", "activate", draft.name(), "--etag", draft.etag(), "--from",
           "2026-01-01T00:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "ACTIVE")) << r.out;

  r = Sla({"-o", "json", "tickets", "open", customer, "--contract", draft.name(), "--service",
           "service-desk", "--priority", "PRIORITY_P1", "--title", "Mail is down", "--reporter",
           "somchai@acme.example"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto ticket = Parse<tpb::Ticket>(r);
  // A terminal in UTC still sees the due time in the calendar's zone (Bangkok), unless it asks.
  tz_ = "UTC";
  r = Sla({"tickets", "list", "--order-by", "next_due_time"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, ticket.name())) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "PRIORITY_P1")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "+07")) << "due time in the calendar's zone: " << r.out;
  r = Sla({"--time-zone", "Europe/Berlin", "tickets", "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "CET")) << "the zone asked for: " << r.out;
  tz_ = "Asia/Bangkok";
  EXPECT_TRUE(absl::StrContains(r.out, "in ")) << "time left as business time: " << r.out;
  r = Sla({"tickets", "comment", ticket.name(), "--body", "Looking into it"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla(
      {"tickets", "priority", ticket.name(), "--to", "PRIORITY_P2", "--reason", "one user only"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "PRIORITY_P2")) << r.out;
  r = Sla({"tickets", "pause", ticket.name(), "--exclusion", "force-majeure", "--reason",
           "flood at the data centre"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla({"tickets", "resume", ticket.name(), "--reason", "power is back"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla({"tickets", "escalations", ticket.name()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "LEVEL")) << r.out;
  r = Sla({"tickets", "watch", "--for", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "ticket.opened")) << r.out;
  for (const char* verb : {"acknowledge", "start", "resolve"}) {
    r = Sla({"tickets", verb, ticket.name(), "--reason", "cli"});
    ASSERT_EQ(r.code, 0) << verb << ": " << r.err;
  }
  EXPECT_TRUE(absl::StrContains(r.out, "RESOLVED")) << r.out;
  r = Sla({"tickets", "history", ticket.name()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "CAUSE")) << r.out;
  r = Sla({"-o", "json", "tickets", "get", ticket.name()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Parse<tpb::Ticket>(r).status(), tpb::Ticket::RESOLVED);

  // The agreement as a file.
  const std::string agreement = dir_ + "/agreement.html";
  r = Sla({"contracts", "render", draft.name(), "--format", "html", "-o", agreement});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream html(agreement);
  const std::string page((std::istreambuf_iterator<char>(html)), {});
  EXPECT_TRUE(absl::StrContains(page, "<html")) << page.substr(0, 200);
  EXPECT_TRUE(absl::StrContains(page, "Managed IT")) << page.substr(0, 400);

  // An outage, opened and closed.
  r = Sla({"-o", "json", "outages", "open", customer, "--contract", draft.name(), "--service",
           "email-hosting", "--start", "2026-12-01T08:00:00+07:00"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto outage = Parse<tpb::Outage>(r);
  r = Sla({"outages", "close", outage.name(), "--end", "2026-12-01T09:30:00+07:00"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla({"outages", "list", customer});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "2026-12-01 09:30 +07")) << r.out;

  // Billing: the month so far, and documents (none yet: the month is not over).
  const std::string month = absl::FormatTime("%Y-%m", absl::Now(), absl::UTCTimeZone());
  r = Sla({"billing", "preview", draft.name(), "--period", month});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "total")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "THB")) << r.out;
  r = Sla({"billing", "close", draft.name(), "--period", month});
  EXPECT_EQ(r.code, 5) << "a month that has not ended: " << r.err;
  r = Sla({"billing", "invoices", customer, "--order-by", "issue_time desc"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "NUMBER")) << r.out;
  r = Sla({"billing", "credit-notes"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla({"billing", "preview", draft.name(), "--period", "2026-13"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "--period")) << r.err;

  // Operators: billing's consumer follows ticket-svc's stream; nothing was set aside; a replay
  // of an event that was never set aside is not found. Which service is asked must be said.
  r = Sla({"events", "cursors", "--at", "billing"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "ticket-svc")) << r.out;
  r = Sla({"events", "dead-letters", "--at", "reporting"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "REASON")) << r.out;
  EXPECT_FALSE(absl::StrContains(r.out, "ticket.")) << r.out;
  r = Sla({"events", "replay", "--at", "reporting", "ticket-svc", "noepoch", "1"});
  EXPECT_EQ(r.code, 3) << r.err;
  r = Sla({"events", "cursors"});
  EXPECT_EQ(r.code, 2) << r.err;
  // The typed streams: ticket-svc's from the start, with what each payload says.
  r = Sla({"events", "list", "--at", "ticket", "--limit", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "ticket.opened")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "PRIORITY_P")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "ticket-svc ")) << r.out;
  r = Sla({"-o", "json", "events", "list", "--at", "ticket", "--limit", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto first = Parse<sla::v1::ListEventsResponse>(r);
  ASSERT_EQ(first.events_size(), 1);
  EXPECT_TRUE(first.events(0).payload().has_ticket()) << r.out;
  r = Sla({"events", "list", "--at", "nowhere"});
  EXPECT_EQ(r.code, 2) << r.err;

  // Reports: November's as a CSV file; another customer's contract is not found.
  r = Sla({"reports", "list", draft.name()});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Sla({"reports", "export", absl::StrCat(draft.name(), "/reports/2026-11"), "--format", "csv",
           "-o", dir_ + "/nov.csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream csv(dir_ + "/nov.csv");
  const std::string rows((std::istreambuf_iterator<char>(csv)), {});
  EXPECT_TRUE(absl::StrContains(rows, ",")) << rows;
  r = Sla({"reports", "export", "customers/nobody/contracts/none/reports/2026-11", "-o",
           dir_ + "/x.html"});
  EXPECT_EQ(r.code, 3) << r.err;
  // What-if with the same terms, then an amendment and a termination.
  r = Sla({"reports", "simulate", draft.name(), "-f", SLA_EXAMPLE_TERMS, "--lookback", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "PREDICTED BREACHES")) << r.out;
  r = Sla({"-o", "json", "contracts", "get", draft.name()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string etag = Parse<cpb::Contract>(r).etag();
  r = Sla(
      {"-o", "json", "contracts", "amend", draft.name(), "--etag", etag, "-f", SLA_EXAMPLE_TERMS});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto amended = Parse<cpb::Contract>(r);
  EXPECT_EQ(amended.version(), 2);
  r = Sla({"contracts", "terminate", draft.name(), "--etag", etag, "--reason", "stale etag"});
  EXPECT_EQ(r.code, 5) << r.err;
  r = Sla({"contracts", "terminate", draft.name(), "--etag", amended.etag(), "--reason",
           "the customer moved on", "--at", "2027-06-30T17:00:00Z"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "TERMINATED")) << r.out;
}

TEST_F(CliTest, BadInputGetsItsExitCodeAndAMessageThatNamesTheProblem) {
  // A file that is not there.
  Result r =
      Sla({"contracts", "create", "customers/x", "--name", "n", "-f", "/no/such/terms.json"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "/no/such/terms.json")) << r.err;
  // Malformed JSON and an unknown field.
  r = Sla({"call", "sla.contract.v1.ContractService/CreateCustomer", "{\"customer\": "});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "not a valid sla.contract.v1.CreateCustomerRequest"))
      << r.err;
  r = Sla({"call", "sla.contract.v1.ContractService/CreateCustomer",
           R"({"customer": {"displayNme": "x"}})"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "displayNme")) << r.err;
  // The service's own validation: the field and why.
  r = Sla({"customers", "create", "--name", "Acme", "--time-zone", "Mars/Olympus"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "field customer.time_zone")) << r.err;
  // An unknown method, command and flag.
  r = Sla({"call", "sla.ticket.v1.TicketService/Nope", "{}"});
  EXPECT_EQ(r.code, 3) << r.err;
  r = Sla({"tickets", "fly"});
  EXPECT_EQ(r.code, 2) << r.err;
  r = Sla({"tickets", "list", "--colour", "red"});
  EXPECT_EQ(r.code, 2) << r.err;
  // Not found, and a wrong token.
  r = Sla({"customers", "get", "customers/nobody"});
  EXPECT_EQ(r.code, 3) << r.err;
  r = Sla({"--token", "not.a.token", "customers", "list"});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "UNAUTHENTICATED")) << r.err;
  // A profile that points nowhere.
  ASSERT_EQ(Sla({"--profile", "away", "config", "set", "contract", "127.0.0.1:1"}).code, 0);
  r = Sla({"--profile", "away", "--token", "x", "customers", "list"});
  EXPECT_EQ(r.code, 6) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "scripts/run")) << r.err;
  // Every command has help with an example: the nouns and verbs as `--help` lists them.
  auto subcommands = [&](const std::vector<std::string>& path) {
    std::vector<std::string> args = path;
    args.push_back("--help");
    const Result help = Sla(args);
    EXPECT_EQ(help.code, 0) << absl::StrJoin(path, " ");
    std::vector<std::string> names;
    const size_t at = help.out.find("Subcommands:");
    if (at == std::string::npos) return names;
    for (absl::string_view line : absl::StrSplit(help.out.substr(at), '\n')) {
      if (!absl::StartsWith(line, "  ") || absl::StartsWith(line, "   ")) continue;
      names.emplace_back(absl::StripAsciiWhitespace(line.substr(0, line.find(' ', 2))));
    }
    return names;
  };
  int commands = 0;
  for (const std::string& noun : subcommands({})) {
    std::vector<std::string> verbs = subcommands({noun});
    if (verbs.empty()) verbs.push_back("");
    for (const std::string& verb : verbs) {
      std::vector<std::string> args = {noun};
      if (!verb.empty()) args.push_back(verb);
      args.push_back("--help");
      const Result help = Sla(args);
      EXPECT_TRUE(absl::StrContains(help.out, "Example:"))
          << noun << " " << verb << " has no example:\n"
          << help.out;
      ++commands;
    }
  }
  EXPECT_GE(commands, 40) << "the help listing was not read";
}

// Terminal columns of a captured line up to byte `pos` (Thai marks above and below a consonant
// share its cell, as in tmux's grid).
size_t Column(const std::string& line, size_t pos) {
  size_t col = 0;
  for (size_t i = 0; i < pos;) {
    const unsigned char c = line[i];
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (line[i + k] & 0x3F);
    i += len;
    col +=
        (cp == 0x0E31 || (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E)) ? 0 : 1;
  }
  return col;
}

TEST_F(CliTest, InATerminalTheTablesLineUpAsAPersonSeesThem) {
  ASSERT_EQ(
      Sla({"customers", "create", "--name", "บริษัท แอคมี จำกัด", "--time-zone", "Asia/Bangkok"}).code,
      0);
  ASSERT_EQ(Sla({"customers", "create", "--name", "Globex", "--time-zone", "Asia/Bangkok"}).code,
            0);
  // A 160-column tmux window runs the command as a person would type it; its screen is read back.
  const std::string session = absl::StrCat("sla-cli-", getpid());
  const std::string run =
      absl::StrCat("SLA_CONFIG='", config_, "' '", SLA_CLI, "' customers list; sleep 30");
  const std::string tmux = "LANG=C.UTF-8 tmux -u -L " + session;
  ASSERT_EQ(
      std::system(absl::StrCat(tmux, " new-session -d -s ", session, " -x 160 -y 20 \"", run, "\"")
                      .c_str()),
      0);
  std::string screen;
  for (int i = 0; i < 150 && !absl::StrContains(screen, "Globex"); ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    FILE* p = popen(absl::StrCat(tmux, " capture-pane -p -t ", session).c_str(), "r");
    std::array<char, 8192> buf;
    screen.clear();
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) screen.append(buf.data(), n);
    pclose(p);
  }
  (void)std::system(absl::StrCat(tmux, " kill-server 2>/dev/null").c_str());
  std::vector<std::string> lines = absl::StrSplit(screen, '\n');
  std::string header, thai, latin;
  for (const std::string& l : lines) {
    if (absl::StrContains(l, "DISPLAY NAME")) header = l;
    if (absl::StrContains(l, "แอคมี")) thai = l;
    if (absl::StrContains(l, "Globex")) latin = l;
  }
  ASSERT_FALSE(header.empty() || thai.empty() || latin.empty()) << screen;
  // STATE and each row's ACTIVE start in the same terminal column, Thai name or not.
  const size_t state = Column(header, header.find("STATE"));
  EXPECT_EQ(Column(thai, thai.find("ACTIVE")), state) << screen;
  EXPECT_EQ(Column(latin, latin.find("ACTIVE")), state) << screen;
}

TEST_F(CliTest, ConfigKeepsProfilesAndHidesTheToken) {
  Result r = Sla({"config", "show"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.out, "\"contract\"")) << r.out;
  EXPECT_FALSE(absl::StrContains(r.out, "eyJhbGciOi") && r.out.size() > 400) << r.out;
  r = Sla({"config", "set", "colour", "red"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(absl::StrContains(r.err, "token_file")) << "lists the keys: " << r.err;
  r = Sla({"config", "use", "nowhere"});
  EXPECT_EQ(r.code, 3) << r.err;
  // The token file is private to its owner.
  struct stat st;
  ASSERT_EQ(stat(config_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

}  // namespace
}  // namespace sla
