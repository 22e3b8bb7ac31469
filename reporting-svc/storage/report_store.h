// reporting-svc's tables on MariaDB: the read model (tickets, breaches, escalations, outages,
// credits) kept from the event streams, and issued reports. Writers take the caller's
// transaction's connection, so a batch of events and the cursor after it commit together;
// every write is idempotent (keys, or updates that set state), so a replayed event is a no-op.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/connection_pool.h"
#include "reporting-svc/domain/figures.h"
#include "reporting-svc/domain/records.h"
#include "reporting-svc/domain/report_name.h"
#include "reporting-svc/domain/simulate.h"

namespace sla::reporting::storage {

using mysql::Connection;

using Scope = reporting::Scope;  // reporting-svc/domain/report_name.h

struct TicketKey {
  std::string customer_id;
  std::string ticket_id;
};

// --- Read model writes -------------------------------------------------------------------
struct OpenedTicket {
  TicketKey key;
  std::string contract_id;
  std::string service_id;
  int priority = 0;
  int period_index = 0;
  int64_t open_time = 0;
  std::string terms_version;
  bool rca_required = false;
};
absl::Status InsertTicket(Connection& c, const OpenedTicket& t);
// Every ticket event carries the priority after it (and whether that priority needs an RCA).
absl::Status SetPriority(Connection& c, const TicketKey& k, int priority, bool rca_required);
// clock.met of the first-response or resolution clock.
absl::Status ClockMet(Connection& c, const TicketKey& k, sla::v1::ClockKind kind, bool on_time,
                      int64_t business, int64_t wall, int64_t at);
struct Breach {
  TicketKey key;
  std::string contract_id;
  int clock = 0;
  int cycle = 0;
  int priority = 0;
  int64_t time = 0;
  int period_index = 0;
};
// Records the breach once; the ticket's count and clock state follow.
absl::Status AddBreach(Connection& c, const Breach& b);
struct Escalation {
  TicketKey key;
  std::string contract_id;
  int clock = 0;
  int cycle = 0;
  int level = 0;
  bool manual = false;
  int64_t time = 0;
  int period_index = 0;
};
absl::Status AddEscalation(Connection& c, const Escalation& e);
absl::Status TicketReopened(Connection& c, const TicketKey& k, int reopen_count);
absl::Status TicketClosed(Connection& c, const TicketKey& k, bool rca_recorded);
absl::Status RcaRecorded(Connection& c, const TicketKey& k);
// Pauses: waiting on the customer or an excluded event. Opening an open pause and closing a
// closed one are no-ops.
absl::Status PauseStarted(Connection& c, const TicketKey& k, int64_t at);
absl::Status PauseEnded(Connection& c, const TicketKey& k, int64_t at);
struct Outage {
  std::string customer_id;
  std::string outage_id;
  std::string contract_id;
  OutageRow row;
};
absl::Status UpsertOutage(Connection& c, const Outage& o);
struct Credit {
  std::string customer_id;
  std::string contract_id;
  int period_index = 0;
  std::string status;
  std::string credit_note;
  std::string currency;
  int64_t amount_minor = 0;
  int64_t cap_cut_minor = 0;
};
absl::Status UpsertCredit(Connection& c, const Credit& cr);
// A change to a closed period's credit (a delta credit note, a debit note as a negative
// amount, or a revised deferred or dropped amount): added to the period's net amount, and
// `note` (if any) appended to its adjustment notes.
absl::Status AdjustCredit(Connection& c, const Credit& delta, const std::string& note);

// --- Report revisions due ------------------------------
absl::Status AddPendingRevision(Connection& c, const PendingRevision& p);
absl::StatusOr<std::vector<PendingRevision>> ListPendingRevisions(Connection& c, int limit);
absl::Status DeletePendingRevision(Connection& c, const Scope& s, int period_index);

// --- Report queries ----------------------------------------------------------------------
absl::StatusOr<std::vector<TicketFigures>> LoadTicketFigures(Connection& c, const QueryScope& s,
                                                             int period);
// The first `limit` breaches of the period (by time), and how many there are in all.
absl::StatusOr<std::pair<std::vector<v1::BreachEntry>, int64_t>> LoadBreaches(Connection& c,
                                                                              const QueryScope& s,
                                                                              int period,
                                                                              int limit);
absl::StatusOr<std::vector<v1::EscalationCount>> LoadEscalations(Connection& c, const QueryScope& s,
                                                                 int period);
// Outages of one contract overlapping [start, end).
absl::StatusOr<std::vector<OutageRow>> LoadOutages(Connection& c, const QueryScope& s,
                                                   int64_t start, int64_t end);
absl::StatusOr<std::vector<v1::CreditFigure>> LoadCredits(Connection& c, const QueryScope& s,
                                                          int period);
// Headline figures of periods first..last (every period present, oldest first).
absl::StatusOr<std::vector<v1::TrendPoint>> LoadTrend(Connection& c, const QueryScope& s, int first,
                                                      int last);
// Tickets opened in periods first..last, for a what-if replay.
absl::StatusOr<std::vector<ReplayTicket>> LoadReplayTickets(Connection& c, const QueryScope& s,
                                                            int first, int last);
// Distinct contracts with tickets in the period.
absl::StatusOr<int64_t> CountContracts(Connection& c, const QueryScope& s, int period);

// --- Issued reports ----------------------------------------------------------------------
// The latest revision (FOR UPDATE when issuing), or the given one.
absl::StatusOr<std::optional<StoredReport>> LoadReport(Connection& c, const QueryScope& s,
                                                       int period, int revision, bool for_update);
absl::Status InsertReport(Connection& c, const QueryScope& s, int period, int revision,
                          int64_t issue_time, const std::string& body);
// Revisions of a contract's reports, newest period and revision first.
absl::StatusOr<std::vector<std::string>> ListReports(Connection& c, const QueryScope& s, int offset,
                                                     int limit);

}  // namespace sla::reporting::storage
