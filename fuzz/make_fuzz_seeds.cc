// Writes fuzz/corpus/: realistic, valid inputs for each fuzz target, built from the shipped
// example contract (docs/examples) and DOMAIN.md's Bangkok calendars, so that fuzzing starts
// deep inside the checks instead of at "does not parse".
//   make_fuzz_seeds EXAMPLE_TERMS.json OUT_DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "common/core/test_terms.h"
#include "google/protobuf/util/json_util.h"
#include "sla/billing/v1/billing_service.pb.h"
#include "sla/contract/v1/contract_service.pb.h"
#include "sla/reporting/v1/reporting_service.pb.h"
#include "sla/ticket/v1/ticket_service.pb.h"

namespace {

std::string out_dir;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  std::filesystem::create_directories(out_dir + "/" + target);
  std::ofstream(out_dir + "/" + target + "/" + name, std::ios::binary) << bytes;
}

// The framing of FuzzedDataProvider::ConsumeRandomLengthString: backslashes doubled, then a
// backslash and another byte end the string.
std::string Framed(const std::string& s) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\\') out += '\\';
  }
  return out + "\\e";
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_fuzz_seeds EXAMPLE_TERMS.json OUT_DIR\n";
    return 2;
  }
  out_dir = argv[2];
  std::ifstream in(argv[1]);
  std::stringstream json;
  json << in.rdbuf();
  sla::v1::SlaTerms terms;
  if (!google::protobuf::util::JsonStringToMessage(json.str(), &terms).ok()) {
    std::cerr << "cannot parse " << argv[1] << "\n";
    return 1;
  }
  // The snapshot of calendars an activated version carries.
  const sla::v1::SlaTerms bangkok = sla::core::testing::BangkokTerms();
  *terms.mutable_calendars() = bangkok.calendars();

  for (const auto& cal : bangkok.calendars())
    Write("calendar_fuzzer", cal.name().substr(10), cal.SerializeAsString());
  sla::v1::BusinessCalendar night = bangkok.calendars(0);
  night.set_name("calendars/night-shift");
  night.clear_weekly_intervals();
  auto* w = night.add_weekly_intervals();
  w->set_day(sla::v1::FRIDAY);
  w->set_start_minute(22 * 60);
  w->set_end_minute(6 * 60);  // crosses midnight
  night.set_time_zone("Europe/Berlin");
  Write("calendar_fuzzer", "night-shift", night.SerializeAsString());

  sla::contract::v1::CreateCustomerRequest customer;
  customer.mutable_customer()->set_display_name("Acme Co., Ltd.");
  customer.mutable_customer()->set_time_zone("Asia/Bangkok");
  Write("contract_requests_fuzzer", "create-customer",
        std::string(1, '\0') + customer.SerializeAsString());
  sla::contract::v1::CreateCalendarRequest calendar;
  calendar.set_calendar_id("bangkok-office");
  *calendar.mutable_calendar() = bangkok.calendars(0);
  Write("contract_requests_fuzzer", "create-calendar",
        std::string(1, '\2') + calendar.SerializeAsString());
  sla::contract::v1::CreateContractRequest contract;
  contract.set_parent("customers/acme");
  contract.mutable_contract()->set_display_name("Managed IT");
  *contract.mutable_contract()->mutable_terms() = terms;
  Write("contract_requests_fuzzer", "create-contract",
        std::string(1, '\3') + contract.SerializeAsString());
  sla::contract::v1::AmendContractRequest amend;
  amend.set_name("customers/acme/contracts/k");
  *amend.mutable_terms() = terms;
  Write("contract_requests_fuzzer", "amend-contract",
        std::string(1, '\4') + amend.SerializeAsString());

  sla::ticket::v1::CreateTicketRequest ticket;
  ticket.set_parent("customers/acme");
  ticket.mutable_ticket()->set_contract("customers/acme/contracts/k");
  ticket.mutable_ticket()->set_service_id("service-desk");
  ticket.mutable_ticket()->set_priority(sla::v1::PRIORITY_P2);
  ticket.mutable_ticket()->set_title("Printer offline");
  ticket.mutable_ticket()->set_reporter("somchai@acme.example");
  // Then: a day later, a public MSP comment, waiting on the customer, a customer reply, resolve.
  const std::string steps =
      Bytes({0x10, 1, 1, 'h', 'i', '\\', 'e', 1, 1, 1, 1, 0, 4, 0, 0, 1, 0, 5});
  Write("ticket_requests_fuzzer", "p2-ticket", Framed(ticket.SerializeAsString()) + steps);
  ticket.set_request_id("req-7f3a");
  Write("parsers_fuzzer", "create-ticket-full",
        std::string("\5\0", 2) + ticket.SerializeAsString());

  sla::billing::v1::ClosePeriodRequest close;
  close.set_contract("customers/acme/contracts/k");
  close.mutable_period()->set_year(2026);
  close.mutable_period()->set_month(12);
  Write("billing_period_fuzzer", "december",
        Framed(close.SerializeAsString()) + Framed(terms.SerializeAsString()) +
            Bytes({1, 0x20, 0, 1, 0x40, 0, 0, 0, 0x10}));

  sla::reporting::v1::SimulateTermsRequest simulate;
  simulate.set_subject("customers/acme");
  *simulate.mutable_proposed_terms() = terms;
  simulate.set_lookback_periods(6);
  Write("reporting_requests_fuzzer", "simulate",
        std::string(1, '\1') + simulate.SerializeAsString());
  sla::reporting::v1::IssueReportRequest issue;
  issue.set_name("customers/acme/contracts/k/reports/2026-12");
  Write("reporting_requests_fuzzer", "issue-report",
        std::string(1, '\0') + issue.SerializeAsString());
  return 0;
}
