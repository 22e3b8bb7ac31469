// Customers through the gRPC API (see contract_api_fixture.h).
#include <cstring>

#include "contract-svc/api/contract_api_fixture.h"

namespace sla::contract {
namespace {

class CustomerApiTest : public ContractApiTest {};

TEST_F(CustomerApiTest, CreateThenGet) {
  const pb::Customer created = Create("Acme Co., Ltd.");
  EXPECT_TRUE(absl::StartsWith(created.name(), "customers/cust-"));
  EXPECT_EQ(created.state(), pb::Customer::ACTIVE);
  EXPECT_EQ(created.etag(), "1");
  EXPECT_EQ(created.create_time().seconds(), absl::ToUnixSeconds(kNow));

  pb::GetCustomerRequest get;
  get.set_name(created.name());
  pb::Customer got;
  ASSERT_TRUE(stub_->GetCustomer(As("msp_agent").get(), get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());
}

TEST_F(CustomerApiTest, CreateIsIdempotentByRequestId) {
  const pb::Customer first = Create("Acme", "8f0c2c9e-retry");
  const pb::Customer again = Create("Acme", "8f0c2c9e-retry");
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.display_name(), "Acme");
  // The same request id with another request is a client bug, not a retry: refused, naming it.
  pb::CreateCustomerRequest other;
  other.mutable_customer()->set_display_name("Acme (retried)");
  other.set_request_id("8f0c2c9e-retry");
  pb::Customer out;
  const grpc::Status s = stub_->CreateCustomer(As("msp_admin").get(), other, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("8f0c2c9e-retry"), std::string::npos) << s.error_message();
  pb::ListCustomersResponse all;
  ASSERT_TRUE(stub_->ListCustomers(As("msp_admin").get(), pb::ListCustomersRequest(), &all).ok());
  EXPECT_EQ(all.customers_size(), 1);
}

TEST_F(CustomerApiTest, InvalidInputNamesTheField) {
  pb::CreateCustomerRequest req;
  req.mutable_customer()->set_display_name("  ");
  pb::Customer out;
  grpc::Status s = stub_->CreateCustomer(As("msp_admin").get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "field `customer.display_name`: is required");
  req.mutable_customer()->set_display_name("Acme");
  req.mutable_customer()->set_time_zone("Bangkok");
  s = stub_->CreateCustomer(As("msp_admin").get(), req, &out);
  EXPECT_EQ(s.error_message(),
            "field `customer.time_zone`: must be an IANA time zone, e.g. Asia/Bangkok");
  pb::GetCustomerRequest get;
  get.set_name("contracts/x");
  EXPECT_EQ(stub_->GetCustomer(As("msp_admin").get(), get, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  get.set_name("customers/cust-missing");
  EXPECT_EQ(stub_->GetCustomer(As("msp_admin").get(), get, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// A name that renders as something else ("Acme<U+202E>gpj.exe") or hides a NUL is refused
// before it is stored, naming the field.
TEST_F(CustomerApiTest, TextWithControlOrBidiOverrideCharactersIsRefused) {
  for (const std::string& name : {std::string("Acme\xe2\x80\xae"
                                              "gpj.exe"),
                                  std::string("Ac\0me", 5)}) {
    pb::CreateCustomerRequest req;
    req.mutable_customer()->set_display_name(name);
    pb::Customer out;
    const grpc::Status s = stub_->CreateCustomer(As("msp_admin").get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("customer.display_name"), std::string::npos)
        << s.error_message();
  }
}

TEST_F(CustomerApiTest, UpdateAppliesTheMaskAndChecksTheEtag) {
  const pb::Customer c = Create("Acme");
  pb::UpdateCustomerRequest req;
  *req.mutable_customer() = c;
  req.mutable_customer()->set_display_name("Acme Holdings");
  req.mutable_customer()->set_time_zone("Europe/Berlin");  // not in the mask: unchanged
  req.mutable_update_mask()->add_paths("display_name");
  pb::Customer updated;
  ASSERT_TRUE(stub_->UpdateCustomer(As("msp_admin").get(), req, &updated).ok());
  EXPECT_EQ(updated.display_name(), "Acme Holdings");
  EXPECT_EQ(updated.time_zone(), "Asia/Bangkok");
  EXPECT_EQ(updated.etag(), "2");

  // The same request again carries the old etag.
  EXPECT_EQ(stub_->UpdateCustomer(As("msp_admin").get(), req, &updated).error_code(),
            grpc::StatusCode::ABORTED);
  req.mutable_update_mask()->add_paths("create_time");
  req.mutable_customer()->set_etag("2");
  EXPECT_EQ(stub_->UpdateCustomer(As("msp_admin").get(), req, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("state");
  req.mutable_customer()->set_state(pb::Customer::SUSPENDED);
  ASSERT_TRUE(stub_->UpdateCustomer(As("msp_admin").get(), req, &updated).ok());
  EXPECT_EQ(updated.state(), pb::Customer::SUSPENDED);
}

TEST_F(CustomerApiTest, ListPagesAndFilters) {
  for (const char* n : {"Acme", "Beta Bank", "Gamma 100% Ltd", "Delta", "Acme Logistics"})
    Create(n);
  std::vector<std::string> seen;
  pb::ListCustomersRequest req;
  req.set_page_size(2);
  for (int pages = 0; pages < 10; ++pages) {
    pb::ListCustomersResponse resp;
    ASSERT_TRUE(stub_->ListCustomers(As("msp_agent").get(), req, &resp).ok());
    EXPECT_LE(resp.customers_size(), 2);
    for (const auto& c : resp.customers()) seen.push_back(c.display_name());
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(seen.size(), 5u);

  pb::ListCustomersRequest filtered;
  filtered.set_filter("display_name : \"acme\"");
  pb::ListCustomersResponse resp;
  ASSERT_TRUE(stub_->ListCustomers(As("msp_agent").get(), filtered, &resp).ok());
  EXPECT_EQ(resp.customers_size(), 2);
  filtered.set_filter("display_name : \"%\"");  // a literal percent sign, not a wildcard
  ASSERT_TRUE(stub_->ListCustomers(As("msp_agent").get(), filtered, &resp).ok());
  ASSERT_EQ(resp.customers_size(), 1);
  EXPECT_EQ(resp.customers(0).display_name(), "Gamma 100% Ltd");
  filtered.set_filter("state = ARCHIVED");
  ASSERT_TRUE(stub_->ListCustomers(As("msp_agent").get(), filtered, &resp).ok());
  EXPECT_EQ(resp.customers_size(), 0);

  // A token is bound to its filter; bad sizes and filters name the field.
  pb::ListCustomersRequest bad;
  bad.set_page_token(req.page_token());
  bad.set_filter("state = ACTIVE");
  EXPECT_EQ(
      stub_->ListCustomers(As("msp_agent").get(), bad, &resp).error_message(),
      "field `page_token`: was issued for another filter, or is not a token this service issued");
  bad = pb::ListCustomersRequest();
  bad.set_page_size(5000);
  EXPECT_EQ(stub_->ListCustomers(As("msp_agent").get(), bad, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  bad.set_page_size(0);
  bad.set_filter("owner = bob");
  EXPECT_EQ(stub_->ListCustomers(As("msp_agent").get(), bad, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CustomerApiTest, CustomersSeeOnlyThemselves) {
  const pb::Customer mine = Create("Acme");
  const pb::Customer theirs = Create("Beta Bank");
  const std::string my_id = mine.name().substr(strlen("customers/"));

  pb::Customer out;
  pb::GetCustomerRequest get;
  get.set_name(mine.name());
  EXPECT_TRUE(stub_->GetCustomer(As("customer_user", my_id).get(), get, &out).ok());
  get.set_name(theirs.name());
  const grpc::Status foreign = stub_->GetCustomer(As("customer_admin", my_id).get(), get, &out);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);  // existence not revealed

  pb::ListCustomersResponse resp;
  ASSERT_TRUE(
      stub_->ListCustomers(As("customer_user", my_id).get(), pb::ListCustomersRequest(), &resp)
          .ok());
  ASSERT_EQ(resp.customers_size(), 1);
  EXPECT_EQ(resp.customers(0).name(), mine.name());

  pb::CreateCustomerRequest create;
  create.mutable_customer()->set_display_name("Sneaky");
  EXPECT_EQ(stub_->CreateCustomer(As("customer_admin", my_id).get(), create, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateCustomer(As("msp_agent").get(), create, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  pb::UpdateCustomerRequest update;
  *update.mutable_customer() = mine;
  update.mutable_update_mask()->add_paths("display_name");
  EXPECT_EQ(stub_->UpdateCustomer(As("customer_admin", my_id).get(), update, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace sla::contract
