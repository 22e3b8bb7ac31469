#include "contract-svc/app/fake_contract_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace sla::contract::testing {
namespace {

using google::protobuf::util::TimeUtil;
using State = FakeContractState;

google::protobuf::Timestamp Stamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

}  // namespace

// --- Customers ---

absl::StatusOr<Customer> FakeCustomerRepository::Create(const Customer& c,
                                                        const api::RequestKey& request_id,
                                                        const std::string& caller) {
  Customer result;
  SLA_RETURN_IF_ERROR(store_->Transact([&](State& s, test::ArmedFailures&) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(auto earlier,
                         s.request_log.Claim(request_id, "CreateCustomer", caller, c.name()));
    if (earlier) {
      SLA_ASSIGN_OR_RETURN(std::string id, ParseCustomerName(*earlier, "request_id"));
      if (!s.customers.contains(id)) return NotFound(*earlier);
      result = s.customers.at(id);
      return absl::OkStatus();
    }
    if (!s.customers.emplace(c.id, c).second) return absl::AlreadyExistsError(c.name());
    result = c;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Customer> FakeCustomerRepository::Get(const std::string& id) {
  Customer result;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    if (!s.customers.contains(id)) return NotFound(absl::StrCat("customers/", id));
    result = s.customers.at(id);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<Customer>> FakeCustomerRepository::List(const CustomerQuery& q) {
  std::vector<Customer> out;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    const std::string contains = absl::AsciiStrToLower(q.name_contains);
    for (auto it = s.customers.upper_bound(q.after_id);
         it != s.customers.end() && static_cast<int>(out.size()) < q.limit + 1; ++it) {
      const Customer& c = it->second;
      if (q.state && c.state != *q.state) continue;
      if (!absl::StrContains(absl::AsciiStrToLower(c.display_name), contains)) continue;
      if (!q.scope.all() && c.id != q.scope.customer_id()) continue;
      out.push_back(c);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Customer> FakeCustomerRepository::Update(
    const std::string& id, const std::function<absl::Status(Customer&)>& mutate, absl::Time now) {
  Customer result;
  SLA_RETURN_IF_ERROR(store_->Transact([&](State& s, test::ArmedFailures&) -> absl::Status {
    auto it = s.customers.find(id);
    if (it == s.customers.end()) return NotFound(absl::StrCat("customers/", id));
    Customer c = it->second;
    SLA_RETURN_IF_ERROR(mutate(c));
    c.version = it->second.version + 1;
    c.update_time = now;
    it->second = c;
    result = std::move(c);
    return absl::OkStatus();
  }));
  return result;
}

// --- Calendars ---

absl::StatusOr<StoredCalendar> FakeCalendarRepository::Create(
    const std::string& id, const sla::v1::BusinessCalendar& calendar, absl::Time now,
    const api::RequestKey& request_id, const std::string& caller) {
  StoredCalendar result;
  SLA_RETURN_IF_ERROR(store_->Transact([&](State& s, test::ArmedFailures&) -> absl::Status {
    const std::string name = absl::StrCat("calendars/", id);
    SLA_ASSIGN_OR_RETURN(auto earlier,
                         s.request_log.Claim(request_id, "CreateCalendar", caller, name));
    const std::string target = earlier ? earlier->substr(name.find('/') + 1) : id;
    if (!earlier) {
      StoredCalendar stored{calendar, 1};
      stored.calendar.set_name(name);
      stored.calendar.set_etag("1");
      *stored.calendar.mutable_create_time() = Stamp(now);
      *stored.calendar.mutable_update_time() = Stamp(now);
      if (!s.calendars.emplace(id, stored).second) {
        return absl::AlreadyExistsError(
            absl::StrCat("field `calendar_id`: `", name, "` already exists; choose another id"));
      }
    }
    if (!s.calendars.contains(target)) return NotFound(absl::StrCat("calendars/", target));
    result = s.calendars.at(target);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<StoredCalendar> FakeCalendarRepository::Get(const std::string& id) {
  StoredCalendar result;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    if (!s.calendars.contains(id)) return NotFound(absl::StrCat("calendars/", id));
    result = s.calendars.at(id);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<StoredCalendar>> FakeCalendarRepository::List(
    const std::string& after_id, int limit) {
  std::vector<StoredCalendar> out;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    for (auto it = s.calendars.upper_bound(after_id);
         it != s.calendars.end() && static_cast<int>(out.size()) < limit + 1; ++it) {
      out.push_back(it->second);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<StoredCalendar> FakeCalendarRepository::Update(
    const std::string& id, const std::function<absl::Status(StoredCalendar&)>& mutate,
    absl::Time now) {
  StoredCalendar result;
  SLA_RETURN_IF_ERROR(store_->Transact([&](State& s, test::ArmedFailures&) -> absl::Status {
    auto it = s.calendars.find(id);
    if (it == s.calendars.end()) return NotFound(absl::StrCat("calendars/", id));
    StoredCalendar c = it->second;
    c.in_use = s.calendars_in_use.contains(id);
    SLA_RETURN_IF_ERROR(mutate(c));
    c.version += 1;
    c.calendar.set_etag(absl::StrCat(c.version));
    *c.calendar.mutable_update_time() = Stamp(now);
    it->second = c;
    it->second.in_use = false;  // a column of no table: only Update's answer carries it
    result = std::move(c);
    return absl::OkStatus();
  }));
  return result;
}

// --- Contracts ---

absl::StatusOr<Contract> FakeContractRepository::Create(const Contract& c,
                                                        const api::RequestKey& request_id,
                                                        const std::string& caller) {
  Contract result;
  SLA_RETURN_IF_ERROR(store_->Transact([&](State& s, test::ArmedFailures&) -> absl::Status {
    SLA_ASSIGN_OR_RETURN(auto earlier,
                         s.request_log.Claim(request_id, "CreateContract", caller, c.name()));
    if (earlier) {
      SLA_ASSIGN_OR_RETURN(ContractName n, ParseContractName(*earlier, "request_id"));
      auto it = s.contracts.find({n.customer_id, n.contract_id});
      if (it == s.contracts.end()) return NotFound(*earlier);
      result = it->second;
      return absl::OkStatus();
    }
    if (!s.customers.contains(c.customer_id)) {
      return WrongState(absl::StrCat("customers/", c.customer_id), "customer does not exist");
    }
    if (!s.contracts.emplace(State::ContractKey{c.customer_id, c.id}, c).second) {
      return absl::AlreadyExistsError(c.name());
    }
    result = c;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<Contract> FakeContractRepository::Get(const std::string& customer_id,
                                                     const std::string& id) {
  Contract result;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    auto it = s.contracts.find({customer_id, id});
    if (it == s.contracts.end()) {
      return NotFound(absl::StrCat("customers/", customer_id, "/contracts/", id));
    }
    result = it->second;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<Contract>> FakeContractRepository::List(
    const server::CustomerScope& scope, std::optional<Contract::State> state,
    const std::string& after_id, int limit) {
  std::vector<Contract> out;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    std::map<std::string, const Contract*> by_id;  // the table's order: by contract id
    for (const auto& [key, c] : s.contracts) {
      if (!scope.all() && c.customer_id != scope.customer_id()) continue;
      if (state && c.state != *state) continue;
      if (c.id > after_id) by_id[c.id] = &c;
    }
    for (const auto& [id, c] : by_id) {
      if (static_cast<int>(out.size()) >= limit + 1) break;
      out.push_back(*c);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Contract> FakeContractRepository::Update(
    const std::string& customer_id, const std::string& id,
    const std::function<absl::Status(Contract&, ContractMutation&)>& mutate, absl::Time now) {
  Contract result;
  SLA_RETURN_IF_ERROR(store_->Transact([&](State& s, test::ArmedFailures&) -> absl::Status {
    auto it = s.contracts.find({customer_id, id});
    if (it == s.contracts.end()) {
      return NotFound(absl::StrCat("customers/", customer_id, "/contracts/", id));
    }
    Contract c = it->second;
    ContractMutation m;
    if (c.latest_version > 0) m.latest = s.versions.at({customer_id, id, c.latest_version});
    SLA_RETURN_IF_ERROR(mutate(c, m));
    c.version += 1;
    c.update_time = now;
    if (m.new_version) {
      s.versions[{customer_id, id, m.new_version->version}] = *m.new_version;
      // The calendars the version names cannot change in place from now on.
      for (const auto& cal : m.new_version->terms.calendars()) {
        s.calendars_in_use.insert(cal.name().substr(cal.name().find('/') + 1));
      }
      c.latest_version = m.new_version->version;
    }
    it->second = c;
    result = std::move(c);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::optional<ResolvedVersion>> FakeContractRepository::VersionAt(
    const std::string& customer_id, const std::string& id, absl::Time t) {
  std::optional<ResolvedVersion> out;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    // The greatest start at or before `t` (the later version on a tie), until the earliest
    // start of any later version.
    const ContractVersion* best = nullptr;
    for (const auto& [key, v] : s.versions) {
      if (v.customer_id != customer_id || v.contract_id != id || v.effective_from > t) continue;
      if (best == nullptr || v.effective_from > best->effective_from ||
          (v.effective_from == best->effective_from && v.version > best->version)) {
        best = &v;
      }
    }
    if (best == nullptr) return absl::OkStatus();
    out = ResolvedVersion{*best, std::nullopt};
    for (const auto& [key, v] : s.versions) {
      if (v.customer_id != customer_id || v.contract_id != id || v.version <= best->version) {
        continue;
      }
      if (!out->effective_until || v.effective_from < *out->effective_until) {
        out->effective_until = v.effective_from;
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<ContractVersion> FakeContractRepository::GetVersion(const std::string& customer_id,
                                                                   const std::string& id,
                                                                   int version) {
  ContractVersion result;
  SLA_RETURN_IF_ERROR(store_->Read([&](State& s, test::ArmedFailures&) -> absl::Status {
    auto it = s.versions.find({customer_id, id, version});
    if (it == s.versions.end()) {
      return NotFound(
          absl::StrCat("customers/", customer_id, "/contracts/", id, "/versions/", version));
    }
    result = it->second;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace sla::contract::testing
