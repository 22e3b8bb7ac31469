// contract-svc's repositories in memory, for app tests: customers, calendars, contracts with
// their versions and the calendars those versions name, over one state with the rules of the
// MariaDB statements (unique ids, request-id retries, a contract only under an existing
// customer, the version in force at an instant, a calendar in use once a version names it).
// Each call works on a copy of the state and keeps it only when it succeeds, as a rolled-back
// transaction leaves nothing. Calls run one at a time.
#pragma once

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "common/test_util/fake_request_log.h"
#include "common/test_util/in_memory_store.h"
#include "contract-svc/storage/calendar_repository.h"
#include "contract-svc/storage/contract_repository.h"
#include "contract-svc/storage/customer_repository.h"

namespace sla::contract::testing {

struct FakeContractState {
  std::map<std::string, Customer> customers;                // by id
  std::map<std::string, StoredCalendar> calendars;          // by id
  using ContractKey = std::pair<std::string, std::string>;  // customer, contract
  std::map<ContractKey, Contract> contracts;
  std::map<std::tuple<std::string, std::string, int>, ContractVersion> versions;
  std::set<std::string> calendars_in_use;  // ids a contract version names
  test::FakeRequestLog request_log;
};

using FakeContractStore = test::InMemoryStore<FakeContractState>;

class FakeCustomerRepository final : public CustomerRepository {
 public:
  explicit FakeCustomerRepository(FakeContractStore* store) : store_(store) {}
  absl::StatusOr<Customer> Create(const Customer& c, const api::RequestKey& request_id,
                                  const std::string& caller) override;
  absl::StatusOr<Customer> Get(const std::string& id) override;
  absl::StatusOr<std::vector<Customer>> List(const CustomerQuery& q) override;
  absl::StatusOr<Customer> Update(const std::string& id,
                                  const std::function<absl::Status(Customer&)>& mutate,
                                  absl::Time now) override;

 private:
  FakeContractStore* store_;
};

class FakeCalendarRepository final : public CalendarRepository {
 public:
  explicit FakeCalendarRepository(FakeContractStore* store) : store_(store) {}
  absl::StatusOr<StoredCalendar> Create(const std::string& id,
                                        const sla::v1::BusinessCalendar& calendar, absl::Time now,
                                        const api::RequestKey& request_id,
                                        const std::string& caller) override;
  absl::StatusOr<StoredCalendar> Get(const std::string& id) override;
  absl::StatusOr<std::vector<StoredCalendar>> List(const std::string& after_id, int limit) override;
  absl::StatusOr<StoredCalendar> Update(const std::string& id,
                                        const std::function<absl::Status(StoredCalendar&)>& mutate,
                                        absl::Time now) override;

 private:
  FakeContractStore* store_;
};

class FakeContractRepository final : public ContractRepository {
 public:
  explicit FakeContractRepository(FakeContractStore* store) : store_(store) {}
  absl::StatusOr<Contract> Create(const Contract& c, const api::RequestKey& request_id,
                                  const std::string& caller) override;
  absl::StatusOr<Contract> Get(const std::string& customer_id, const std::string& id) override;
  absl::StatusOr<std::vector<Contract>> List(const server::CustomerScope& scope,
                                             std::optional<Contract::State> state,
                                             const std::string& after_id, int limit) override;
  absl::StatusOr<Contract> Update(
      const std::string& customer_id, const std::string& id,
      const std::function<absl::Status(Contract&, ContractMutation&)>& mutate,
      absl::Time now) override;
  absl::StatusOr<std::optional<ResolvedVersion>> VersionAt(const std::string& customer_id,
                                                           const std::string& id,
                                                           absl::Time t) override;
  absl::StatusOr<ContractVersion> GetVersion(const std::string& customer_id, const std::string& id,
                                             int version) override;

 private:
  FakeContractStore* store_;
};

}  // namespace sla::contract::testing
