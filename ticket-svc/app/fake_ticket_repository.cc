#include "ticket-svc/app/fake_ticket_repository.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/outbox/payload.h"
#include "common/status/status_macros.h"

namespace sla::ticket::testing {
namespace {

// MariaDB stores kOpenEnded instants as NULL.
std::optional<int64_t> Stored(int64_t instant) {
  if (instant == kOpenEnded) return std::nullopt;
  return instant;
}

bool Matches(const TicketQuery& q, const Ticket& t, const Derived& d) {
  if (!q.scope.all() && t.customer_id != q.scope.customer_id()) return false;
  if (q.status && t.status != *q.status) return false;
  if (q.priority && t.priority != *q.priority) return false;
  if (q.breached && d.breached != *q.breached) return false;
  if (q.at_risk) {
    const std::optional<int64_t> warn = Stored(d.warn_at);
    const bool at_risk = warn && *warn <= q.now;
    if (at_risk != *q.at_risk) return false;
  }
  if (q.contract_id && t.contract_id != *q.contract_id) return false;
  if (q.service_id && t.service_id != *q.service_id) return false;
  if (q.due_before) {
    const std::optional<int64_t> due = Stored(d.next_due_at);
    if (!due || *due >= *q.due_before) return false;
  }
  return true;
}

class FakeTicketTx final : public TicketTx {
 public:
  FakeTicketTx(FakeTicketState& s, test::ArmedFailures& failures) : s_(s), failures_(failures) {}

  absl::StatusOr<std::optional<Ticket>> LoadTicket(const std::string& id, bool) override {
    SLA_RETURN_IF_ERROR(failures_.Take("LoadTicket"));
    auto it = s_.tickets.find(id);
    if (it == s_.tickets.end()) return std::optional<Ticket>();
    return std::optional<Ticket>(it->second.ticket);
  }

  absl::Status SaveTickets(absl::Span<const std::pair<const Ticket*, Derived>> rows) override {
    SLA_RETURN_IF_ERROR(failures_.Take("SaveTickets"));
    for (const auto& [t, d] : rows) s_.tickets[t->id] = {*t, d};
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<Ticket>> ClaimDueTickets(int64_t now, int limit) override {
    SLA_RETURN_IF_ERROR(failures_.Take("ClaimDueTickets"));
    std::vector<const FakeTicketState::StoredTicket*> due;
    for (const auto& [id, st] : s_.tickets) {
      const std::optional<int64_t> next = Stored(st.derived.next_event_at);
      if (next && *next <= now) due.push_back(&st);
    }
    std::stable_sort(due.begin(), due.end(), [](const auto* a, const auto* b) {
      return a->derived.next_event_at < b->derived.next_event_at;
    });
    std::vector<Ticket> out;
    for (size_t i = 0; i < due.size() && static_cast<int>(i) < limit; ++i) {
      out.push_back(due[i]->ticket);
    }
    return out;
  }

  absl::StatusOr<std::vector<ListedTicket>> ListTickets(const TicketQuery& q) override {
    SLA_RETURN_IF_ERROR(failures_.Take("ListTickets"));
    // Running clocks by (next_due_at, id) then the others by id, or all by id.
    std::vector<ListedTicket> rows;
    for (const auto& [id, st] : s_.tickets) {
      if (Matches(q, st.ticket, st.derived))
        rows.push_back({st.ticket, Stored(st.derived.next_due_at)});
    }
    auto key = [&](const ListedTicket& r) {
      const int64_t none = std::numeric_limits<int64_t>::max();
      return std::make_tuple(q.by_next_due ? r.next_due_at.value_or(none) : 0,
                             q.by_next_due ? !r.next_due_at.has_value() : false, r.ticket.id);
    };
    std::sort(rows.begin(), rows.end(),
              [&](const ListedTicket& a, const ListedTicket& b) { return key(a) < key(b); });
    auto after = [&](const ListedTicket& r) {
      if (!q.by_next_due) return r.ticket.id > q.after_id;
      if (q.after_id.empty() && !q.after_due) return true;
      if (q.after_due) {
        if (!r.next_due_at) return true;
        return *r.next_due_at > *q.after_due ||
               (*r.next_due_at == *q.after_due && r.ticket.id > q.after_id);
      }
      return !r.next_due_at && r.ticket.id > q.after_id;
    };
    std::vector<ListedTicket> out;
    for (ListedTicket& r : rows) {
      if (static_cast<int>(out.size()) >= q.limit) break;
      if (after(r)) out.push_back(std::move(r));
    }
    return out;
  }

  absl::Status InsertHistory(absl::Span<const HistoryRow> rows) override {
    SLA_RETURN_IF_ERROR(failures_.Take("InsertHistory"));
    for (const HistoryRow& r : rows) {
      for (const HistoryRow& h : s_.history) {
        if (h.ticket_id == r.ticket_id && h.seq == r.seq)
          return absl::AlreadyExistsError(absl::StrCat("history ", r.ticket_id, "/", r.seq));
      }
      s_.history.push_back(r);
    }
    return absl::OkStatus();
  }

  absl::Status InsertEscalations(absl::Span<const EscalationRow> rows) override {
    SLA_RETURN_IF_ERROR(failures_.Take("InsertEscalations"));
    s_.escalations.insert(s_.escalations.end(), rows.begin(), rows.end());
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> ListHistory(const std::string& ticket_id) override {
    std::vector<const HistoryRow*> rows;
    for (const HistoryRow& h : s_.history) {
      if (h.ticket_id == ticket_id) rows.push_back(&h);
    }
    std::sort(rows.begin(), rows.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    std::vector<std::string> out;
    for (const HistoryRow* h : rows) out.push_back(h->entries);
    return out;
  }

  absl::StatusOr<std::vector<std::string>> ListEscalations(const std::string& ticket_id) override {
    std::vector<const EscalationRow*> rows;
    for (const EscalationRow& e : s_.escalations) {
      if (e.ticket_id == ticket_id) rows.push_back(&e);
    }
    std::stable_sort(rows.begin(), rows.end(), [](auto* a, auto* b) {
      return std::tie(a->fire_time, a->clock, a->level) <
             std::tie(b->fire_time, b->clock, b->level);
    });
    std::vector<std::string> out;
    for (const EscalationRow* e : rows) out.push_back(e->escalation);
    return out;
  }

  absl::Status Publish(absl::Span<const outbox::Row> events) override {
    SLA_RETURN_IF_ERROR(failures_.Take("Publish"));
    for (const outbox::Row& e : events) SLA_RETURN_IF_ERROR(outbox::CheckFamily(e.type, e.payload));
    s_.events.insert(s_.events.end(), events.begin(), events.end());
    return absl::OkStatus();
  }

  absl::Status InsertComment(const CommentRow& row) override {
    SLA_RETURN_IF_ERROR(failures_.Take("InsertComment"));
    if (!s_.comments.emplace(row.id, row).second)
      return absl::AlreadyExistsError(absl::StrCat("comment ", row.id));
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<CommentRow>> ListComments(const std::string& ticket_id,
                                                       bool include_internal,
                                                       const std::string& after_id,
                                                       int limit) override {
    std::vector<CommentRow> out;
    for (auto it = s_.comments.upper_bound(after_id);
         it != s_.comments.end() && static_cast<int>(out.size()) < limit; ++it) {
      const CommentRow& c = it->second;
      if (c.ticket_id != ticket_id) continue;
      if (!include_internal && c.comment.visibility() != sla::ticket::v1::Comment::PUBLIC) continue;
      out.push_back(c);
    }
    return out;
  }

  absl::Status InsertOutage(const OutageRow& o) override {
    SLA_RETURN_IF_ERROR(failures_.Take("InsertOutage"));
    if (!s_.outages.emplace(o.id, o).second)
      return absl::AlreadyExistsError(absl::StrCat("outage ", o.id));
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<OutageRow>> LoadOutage(const std::string& id, bool) override {
    auto it = s_.outages.find(id);
    if (it == s_.outages.end()) return std::optional<OutageRow>();
    return std::optional<OutageRow>(it->second);
  }

  absl::Status UpdateOutage(const OutageRow& o) override {
    SLA_RETURN_IF_ERROR(failures_.Take("UpdateOutage"));
    auto it = s_.outages.find(o.id);
    if (it != s_.outages.end()) {
      it->second.end_time = o.end_time;
      it->second.version = o.version;
      it->second.update_time = o.update_time;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<OutageRow>> ListOutages(const OutageQuery& q) override {
    std::vector<OutageRow> out;
    for (auto it = s_.outages.upper_bound(q.after_id);
         it != s_.outages.end() && static_cast<int>(out.size()) < q.limit; ++it) {
      const OutageRow& o = it->second;
      if (!q.scope.all() && o.customer_id != q.scope.customer_id()) continue;
      if (q.service_id && o.service_id != *q.service_id) continue;
      if (q.contract_id && o.contract_id != *q.contract_id) continue;
      if (q.open && o.end_time.has_value() == *q.open) continue;
      if (q.planned && o.planned != *q.planned) continue;
      out.push_back(o);
    }
    return out;
  }

  absl::StatusOr<std::optional<std::string>> LoadTermsVersion(const std::string& name) override {
    auto it = s_.terms_versions.find(name);
    if (it == s_.terms_versions.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  absl::Status StoreTermsVersion(const std::string& name, const std::string& terms,
                                 int64_t) override {
    SLA_RETURN_IF_ERROR(failures_.Take("StoreTermsVersion"));
    s_.terms_versions.emplace(name, terms);  // INSERT IGNORE: the first store stays
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> ClaimRequestId(
      const api::RequestKey& key, const std::string& method, const std::string& caller,
      const std::string& resource_name) override {
    return s_.request_log.Claim(key, method, caller, resource_name);
  }

  absl::StatusOr<std::optional<std::string>> LookupRequestId(const api::RequestKey& key,
                                                             const std::string& method,
                                                             const std::string& caller) override {
    return s_.request_log.Lookup(key, method, caller);
  }

  // A new ticket with its claim, history and event, as the compound statement writes them.
  absl::Status InsertNew(const NewTicketRows& r) {
    if (!r.claim.request_id.empty()) {
      SLA_RETURN_IF_ERROR(s_.request_log.Insert({r.claim.request_id, r.claim.fingerprint},
                                                r.claim.method, r.claim.caller,
                                                r.claim.resource_name));
    }
    if (s_.tickets.contains(r.ticket.id)) return absl::AlreadyExistsError("ticket id taken");
    s_.tickets[r.ticket.id] = {r.ticket, r.derived};
    SLA_RETURN_IF_ERROR(InsertHistory({&r.history, 1}));
    return Publish({&r.event, 1});
  }

 private:
  FakeTicketState& s_;
  test::ArmedFailures& failures_;
};

}  // namespace

absl::Status FakeTicketRepository::Transact(absl::FunctionRef<absl::Status(TicketTx&)> fn) {
  return store_.Transact([&](FakeTicketState& s, test::ArmedFailures& f) {
    FakeTicketTx tx(s, f);
    return fn(tx);
  });
}

absl::Status FakeTicketRepository::Read(absl::FunctionRef<absl::Status(TicketTx&)> fn) {
  return store_.Read([&](FakeTicketState& s, test::ArmedFailures& f) {
    FakeTicketTx tx(s, f);
    return fn(tx);
  });
}

absl::Status FakeTicketRepository::InsertNewTickets(absl::Span<const NewTicketRows* const> rows) {
  return store_.Transact([&](FakeTicketState& s, test::ArmedFailures& f) -> absl::Status {
    SLA_RETURN_IF_ERROR(f.Take("InsertNewTickets"));
    FakeTicketTx tx(s, f);
    for (const NewTicketRows* r : rows) SLA_RETURN_IF_ERROR(tx.InsertNew(*r));
    return absl::OkStatus();
  });
}

absl::Status FakeTicketRepository::InsertNewTicketAlone(const NewTicketRows& r) {
  if (r.claim.request_id.empty()) {
    return absl::InvalidArgumentError("a ticket written alone needs a claim to recognise a replay");
  }
  return store_.Transact([&](FakeTicketState& s, test::ArmedFailures& f) -> absl::Status {
    SLA_RETURN_IF_ERROR(f.Take("InsertNewTicketAlone"));
    FakeTicketTx tx(s, f);
    return tx.InsertNew(r);
  });
}

}  // namespace sla::ticket::testing
