#include "reporting-svc/domain/credit_event.h"

#include "gtest/gtest.h"

namespace sla::reporting {
namespace {

sla::v1::CreditEventPayload Payload() {
  sla::v1::CreditEventPayload p;
  p.set_contract("customers/acme/contracts/main");
  p.set_period("2026-12");
  p.set_currency("THB");
  return p;
}

TEST(CreditEventTest, TheCloseSetsTheFigureAndLaterNotesAdjustIt) {
  sla::v1::CreditEventPayload p = Payload();
  p.set_credit_note("customers/acme/creditNotes/CN-000001");
  p.set_total_minor(581'472);
  p.set_cap_cut_minor(1'000);
  auto issued = ReadCreditEvent("credit_note.issued", p);
  ASSERT_TRUE(issued.ok() && issued->has_value()) << issued.status();
  EXPECT_EQ((*issued)->kind, CreditEvent::Kind::kSet);
  EXPECT_EQ((*issued)->amount_minor, 581'472);
  EXPECT_EQ((*issued)->cap_cut_minor, 1'000);
  EXPECT_EQ((*issued)->period, 2026 * 12 + 11);
  EXPECT_EQ((*issued)->contract.contract_id, "main");

  p = Payload();
  p.set_credit_note("customers/acme/creditNotes/CN-000002");
  p.set_total_minor(246'912);
  p.set_revision(1);
  auto delta = ReadCreditEvent("credit_note.issued", p);
  ASSERT_TRUE(delta.ok() && delta->has_value());
  EXPECT_EQ((*delta)->kind, CreditEvent::Kind::kAdjust);
  EXPECT_EQ((*delta)->amount_minor, 246'912);

  p = Payload();
  p.set_debit_note("customers/acme/creditNotes/DN-000001");
  p.set_total_minor(334'560);
  p.set_revision(2);
  auto debit = ReadCreditEvent("debit_note.issued", p);
  ASSERT_TRUE(debit.ok() && debit->has_value());
  EXPECT_EQ((*debit)->amount_minor, -334'560);
  EXPECT_EQ((*debit)->note, "customers/acme/creditNotes/DN-000001");

  p = Payload();
  p.set_delta_minor(-500);
  p.set_status("deferred");
  auto revised = ReadCreditEvent("credit.revised", p);
  ASSERT_TRUE(revised.ok() && revised->has_value());
  EXPECT_EQ((*revised)->status, "deferred");
  EXPECT_EQ((*revised)->amount_minor, -500);
  EXPECT_FALSE(ReadCreditEvent("invoice.issued", {})->has_value());
}

TEST(CreditEventTest, MalformedPayloadsNameTheField) {
  sla::v1::CreditEventPayload p = Payload();
  p.set_total_minor(9'000'000'000'000'000'000);
  EXPECT_EQ(ReadCreditEvent("credit.dropped", p).status().message(),
            "field `payload.total_minor`: is out of range");
  p = Payload();
  p.set_status("lost");
  EXPECT_EQ(ReadCreditEvent("credit.revised", p).status().message(),
            "field `payload.status`: must be \"deferred\" or \"dropped\"");
  p = Payload();
  p.clear_contract();
  EXPECT_EQ(ReadCreditEvent("credit.deferred", p).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sla::reporting
