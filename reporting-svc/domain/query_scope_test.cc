#include "gtest/gtest.h"
#include "reporting-svc/domain/records.h"

namespace sla::reporting {
namespace {

server::Identity Customer(const std::string& tenant) {
  return {"carol", tenant, {"customer_user"}};
}

TEST(QueryScopeTest, ACustomersQueryAlwaysNamesItsCustomer) {
  // `customers/-` asked by a customer means their own rows, never every customer's.
  auto own = server::CustomerScope::ForCaller(Customer("acme"), "", "customers/-", "reports");
  ASSERT_TRUE(own.ok());
  const QueryScope s = QueryScope::Customers(*own);
  EXPECT_EQ(s.customer_id(), "acme");
  // Another customer's contract is not found, not read.
  EXPECT_EQ(
      server::CustomerScope::ForCaller(Customer("acme"), "globex", "customers/globex", "reports")
          .status()
          .code(),
      absl::StatusCode::kNotFound);
}

TEST(QueryScopeTest, AContractNeedsExactlyOneCustomer) {
  EXPECT_EQ(QueryScope::Contract(server::CustomerScope::AllForSystemWork(), "k1").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto one = server::CustomerScope::One("acme");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(QueryScope::Contract(*one, "").status().code(), absl::StatusCode::kInvalidArgument);
  auto k = QueryScope::Contract(*one, "k1");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->customer_id(), "acme");
  EXPECT_EQ(k->contract_id(), "k1");
}

TEST(QueryScopeTest, SystemWorkTakesStoredKeysAsTheyAre) {
  auto all = QueryScope::ForSystemWork({"", ""});
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->customer_id().empty());
  auto contract = QueryScope::ForSystemWork({"acme", "k1"});
  ASSERT_TRUE(contract.ok());
  EXPECT_EQ(contract->customer_id(), "acme");
  EXPECT_EQ(contract->contract_id(), "k1");
  // A contract without its customer is a broken key, refused rather than widened.
  EXPECT_FALSE(QueryScope::ForSystemWork({"", "k1"}).ok());
}

}  // namespace
}  // namespace sla::reporting
