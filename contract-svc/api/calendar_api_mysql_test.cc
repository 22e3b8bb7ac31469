// Business calendars through the gRPC API (see contract_api_fixture.h).
#include "contract-svc/api/contract_api_fixture.h"
#include "google/protobuf/text_format.h"

namespace sla::contract {
namespace {

class CalendarApiTest : public ContractApiTest {
 protected:
  static sla::v1::BusinessCalendar Bangkok() {
    sla::v1::BusinessCalendar c;
    google::protobuf::TextFormat::ParseFromString(
        R"pb(
          display_name: "Bangkok office"
          time_zone: "Asia/Bangkok"
          weekly_intervals { day: MONDAY start_minute: 540 end_minute: 1020 }
          weekly_intervals { day: TUESDAY start_minute: 540 end_minute: 1020 }
          holidays {
            date { year: 2026 month: 12 day: 7 }
            name: "Constitution Day"
          }
        )pb",
        &c);
    return c;
  }

  grpc::Status Create(const sla::v1::BusinessCalendar& c, const std::string& id,
                      sla::v1::BusinessCalendar* out, const std::string& role = "msp_admin",
                      const std::string& request_id = "") {
    pb::CreateCalendarRequest req;
    *req.mutable_calendar() = c;
    req.set_calendar_id(id);
    req.set_request_id(request_id);
    return stub_->CreateCalendar(As(role).get(), req, out);
  }
};

TEST_F(CalendarApiTest, CreateWithChosenIdThenReadAsAnyRole) {
  sla::v1::BusinessCalendar created;
  ASSERT_TRUE(Create(Bangkok(), "bangkok-office", &created).ok());
  EXPECT_EQ(created.name(), "calendars/bangkok-office");
  EXPECT_EQ(created.etag(), "1");
  EXPECT_EQ(created.weekly_intervals_size(), 2);
  EXPECT_EQ(created.holidays(0).name(), "Constitution Day");

  pb::GetCalendarRequest get;
  get.set_name("calendars/bangkok-office");
  sla::v1::BusinessCalendar got;
  ASSERT_TRUE(stub_->GetCalendar(As("customer_user", "cust-1").get(), get, &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  // The id is taken; a generated id when none is given.
  const grpc::Status taken = Create(Bangkok(), "bangkok-office", &got);
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(taken.error_message(),
            "field `calendar_id`: `calendars/bangkok-office` already exists; choose another id");
  ASSERT_TRUE(Create(Bangkok(), "", &got).ok());
  EXPECT_TRUE(absl::StartsWith(got.name(), "calendars/cal-"));
  // A retry with the same request id returns the first calendar.
  sla::v1::BusinessCalendar retried;
  ASSERT_TRUE(Create(Bangkok(), "", &got, "msp_admin", "req-cal-1").ok());
  ASSERT_TRUE(Create(Bangkok(), "", &retried, "msp_admin", "req-cal-1").ok());
  EXPECT_EQ(retried.name(), got.name());
}

TEST_F(CalendarApiTest, InvalidCalendarsNameTheField) {
  sla::v1::BusinessCalendar out;
  auto overlap = Bangkok();
  auto* w = overlap.add_weekly_intervals();
  w->set_day(sla::v1::MONDAY);
  w->set_start_minute(600);
  w->set_end_minute(700);
  grpc::Status s = Create(overlap, "x", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "field `calendar.weekly_intervals[2]`: overlaps weekly_intervals[0]");
  auto zone = Bangkok();
  zone.set_time_zone("Mars/Base");
  EXPECT_EQ(Create(zone, "x", &out).error_message(),
            "field `calendar.time_zone`: `Mars/Base` is not a known IANA time zone");
  EXPECT_EQ(Create(Bangkok(), "Bad Id", &out).error_message(),
            "field `calendar_id`: must be 1 to 63 characters of [a-z0-9-]");
  EXPECT_EQ(Create(Bangkok(), "x", &out, "msp_agent").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CalendarApiTest, UpdateReplacesMaskedFieldsAndChecksTheEtag) {
  sla::v1::BusinessCalendar c;
  ASSERT_TRUE(Create(Bangkok(), "bangkok-office", &c).ok());
  pb::UpdateCalendarRequest req;
  *req.mutable_calendar() = c;
  req.mutable_calendar()->clear_holidays();
  req.mutable_calendar()->set_display_name("ignored: not in the mask");
  req.mutable_update_mask()->add_paths("holidays");
  sla::v1::BusinessCalendar updated;
  ASSERT_TRUE(stub_->UpdateCalendar(As("msp_admin").get(), req, &updated).ok());
  EXPECT_EQ(updated.holidays_size(), 0);
  EXPECT_EQ(updated.display_name(), "Bangkok office");
  EXPECT_EQ(updated.etag(), "2");
  EXPECT_EQ(stub_->UpdateCalendar(As("msp_admin").get(), req, &updated).error_code(),
            grpc::StatusCode::ABORTED);

  // An update that would make the calendar invalid is refused and changes nothing.
  req.mutable_calendar()->set_etag("2");
  req.mutable_calendar()->set_always_open(true);
  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("always_open");
  EXPECT_EQ(stub_->UpdateCalendar(As("msp_admin").get(), req, &updated).error_message(),
            "field `calendar.weekly_intervals`: must be empty when always_open is set");
  pb::GetCalendarRequest get;
  get.set_name("calendars/bangkok-office");
  ASSERT_TRUE(stub_->GetCalendar(As("msp_admin").get(), get, &updated).ok());
  EXPECT_EQ(updated.etag(), "2");
  EXPECT_FALSE(updated.always_open());
}

TEST_F(CalendarApiTest, ListPages) {
  sla::v1::BusinessCalendar out;
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(Create(Bangkok(), id, &out).ok());
  pb::ListCalendarsRequest req;
  req.set_page_size(2);
  pb::ListCalendarsResponse first, second;
  ASSERT_TRUE(stub_->ListCalendars(As("msp_agent").get(), req, &first).ok());
  ASSERT_EQ(first.calendars_size(), 2);
  ASSERT_FALSE(first.next_page_token().empty());
  req.set_page_token(first.next_page_token());
  ASSERT_TRUE(stub_->ListCalendars(As("msp_agent").get(), req, &second).ok());
  ASSERT_EQ(second.calendars_size(), 1);
  EXPECT_EQ(second.calendars(0).name(), "calendars/c");
  EXPECT_TRUE(second.next_page_token().empty());
}

}  // namespace
}  // namespace sla::contract
