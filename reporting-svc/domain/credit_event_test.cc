#include "reporting-svc/domain/credit_event.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sla::reporting {
namespace {

constexpr char kContract[] = R"("contract":"customers/acme/contracts/main","period":"2026-12","currency":"THB")";

std::string Payload(const std::string& rest) { return absl::StrCat("{", kContract, rest, "}"); }

TEST(CreditEventTest, TheCloseSetsTheFigureAndLaterNotesAdjustIt) {
  auto issued = ParseCreditEvent("credit_note.issued",
                                 Payload(R"(,"credit_note":"customers/acme/creditNotes/CN-000001","total_minor":"581472","cap_cut_minor":"0")"));
  ASSERT_TRUE(issued.ok() && issued->has_value()) << issued.status();
  EXPECT_EQ((*issued)->kind, CreditEvent::Kind::kSet);
  EXPECT_EQ((*issued)->amount_minor, 581'472);
  EXPECT_EQ((*issued)->period, 2026 * 12 + 11);
  EXPECT_EQ((*issued)->contract.contract_id, "main");
  auto delta = ParseCreditEvent("credit_note.issued",
                                Payload(R"(,"credit_note":"customers/acme/creditNotes/CN-000002","total_minor":"246912","revision":"1")"));
  ASSERT_TRUE(delta.ok() && delta->has_value());
  EXPECT_EQ((*delta)->kind, CreditEvent::Kind::kAdjust);
  EXPECT_EQ((*delta)->amount_minor, 246'912);
  auto debit = ParseCreditEvent("debit_note.issued",
                                Payload(R"(,"debit_note":"customers/acme/creditNotes/DN-000001","total_minor":"334560","revision":"2")"));
  ASSERT_TRUE(debit.ok() && debit->has_value());
  EXPECT_EQ((*debit)->amount_minor, -334'560);
  EXPECT_EQ((*debit)->note, "customers/acme/creditNotes/DN-000001");
  auto revised = ParseCreditEvent("credit.revised", Payload(R"(,"delta_minor":"-500","status":"deferred")"));
  ASSERT_TRUE(revised.ok() && revised->has_value());
  EXPECT_EQ((*revised)->status, "deferred");
  EXPECT_EQ((*revised)->amount_minor, -500);
  EXPECT_FALSE(ParseCreditEvent("invoice.issued", "not even json")->has_value());
}

TEST(CreditEventTest, MalformedPayloadsNameTheField) {
  EXPECT_EQ(ParseCreditEvent("credit.dropped", "{not json").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseCreditEvent("credit.dropped", Payload(R"(,"total_minor":"12.5")")).status().message(),
            "field `payload.total_minor`: is not a whole number");
  EXPECT_EQ(ParseCreditEvent("credit.dropped", Payload(R"(,"total_minor":"9000000000000000000")")).status().message(),
            "field `payload.total_minor`: is out of range");
  EXPECT_EQ(ParseCreditEvent("credit.deferred", R"({"period":"2026-12","total_minor":"1"})").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sla::reporting
