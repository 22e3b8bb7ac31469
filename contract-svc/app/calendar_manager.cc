#include "contract-svc/app/calendar_manager.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/api/list_request.h"
#include "common/calendar/calendar_proto.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "contract-svc/app/access.h"

namespace sla::contract {
namespace {

constexpr const char* kMutable[] = {"display_name", "time_zone", "always_open", "weekly_intervals",
                                    "holidays"};

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  });
}

absl::Status RequireAnyRole(const server::Identity& c) {
  for (const char* r : server::kKnownRoles) {
    if (c.HasRole(r)) return absl::OkStatus();
  }
  return PermissionDenied("no role that reads calendars");
}

absl::Status Validate(const sla::v1::BusinessCalendar& c) {
  if (absl::StripAsciiWhitespace(c.display_name()).empty()) {
    return InvalidField("calendar.display_name", "is required");
  }
  return calendar::SpecFromProto(c, "calendar").status();
}

}  // namespace

absl::StatusOr<std::string> ParseCalendarName(absl::string_view name, absl::string_view field) {
  absl::string_view id = name;
  if (!absl::ConsumePrefix(&id, "calendars/") || !ValidId(id)) {
    return InvalidField(field, "must be `calendars/{calendar}`");
  }
  return std::string(id);
}

CalendarManager::CalendarManager(CalendarRepository* repo, std::function<absl::Time()> clock,
                                 std::function<std::string()> new_id)
    : repo_(repo), clock_(std::move(clock)), new_id_(std::move(new_id)) {}

absl::StatusOr<sla::v1::BusinessCalendar> CalendarManager::Create(
    const server::Identity& caller, const sla::v1::BusinessCalendar& calendar,
    const std::string& calendar_id, const api::RequestKey& request_id) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "calendars"));
  if (!calendar_id.empty() && !ValidId(calendar_id)) {
    return InvalidField("calendar_id", "must be 1 to 63 characters of [a-z0-9-]");
  }
  SLA_RETURN_IF_ERROR(Validate(calendar));
  const std::string id = calendar_id.empty() ? new_id_() : calendar_id;
  SLA_ASSIGN_OR_RETURN(StoredCalendar stored,
                       repo_->Create(id, calendar, clock_(), request_id, caller.subject));
  return stored.calendar;
}

absl::StatusOr<sla::v1::BusinessCalendar> CalendarManager::Get(const server::Identity& caller,
                                                               const std::string& name) {
  SLA_RETURN_IF_ERROR(RequireAnyRole(caller));
  SLA_ASSIGN_OR_RETURN(std::string id, ParseCalendarName(name, "name"));
  SLA_ASSIGN_OR_RETURN(StoredCalendar stored, repo_->Get(id));
  return stored.calendar;
}

absl::StatusOr<CalendarManager::Page> CalendarManager::List(const server::Identity& caller,
                                                            int page_size,
                                                            const std::string& page_token) {
  SLA_RETURN_IF_ERROR(RequireAnyRole(caller));
  SLA_ASSIGN_OR_RETURN(int limit, api::PageSize(page_size));
  SLA_ASSIGN_OR_RETURN(std::string after, api::DecodePageToken(page_token, ""));
  SLA_ASSIGN_OR_RETURN(std::vector<StoredCalendar> rows, repo_->List(after, limit));
  Page page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.next_page_token =
        api::EncodePageToken(rows.back().calendar.name().substr(strlen("calendars/")), "");
  }
  for (StoredCalendar& r : rows) page.calendars.push_back(std::move(r.calendar));
  return page;
}

absl::StatusOr<sla::v1::BusinessCalendar> CalendarManager::Update(
    const server::Identity& caller, const sla::v1::BusinessCalendar& patch,
    const std::vector<std::string>& mask) {
  SLA_RETURN_IF_ERROR(RequireMspAdmin(caller, "calendars"));
  SLA_ASSIGN_OR_RETURN(std::string id, ParseCalendarName(patch.name(), "calendar.name"));
  if (mask.empty()) return InvalidField("update_mask", "is required: name the fields to change");
  for (const std::string& path : mask) {
    if (std::find(std::begin(kMutable), std::end(kMutable), path) == std::end(kMutable)) {
      return InvalidField("update_mask", absl::StrCat("`", path, "` cannot be updated"));
    }
  }
  if (patch.etag().empty()) return InvalidField("calendar.etag", "is required");
  auto has = [&](const char* p) { return std::find(mask.begin(), mask.end(), p) != mask.end(); };
  SLA_ASSIGN_OR_RETURN(StoredCalendar stored,
                       repo_->Update(
                           id,
                           [&](StoredCalendar& s) -> absl::Status {
                             if (s.calendar.etag() != patch.etag())
                               return EtagMismatch(patch.name());
                             if (s.in_use) {
                               return WrongState(
                                   patch.name(),
                                   "is named by an activated contract version and cannot change in "
                                   "place; create a new calendar and amend the contract to use it");
                             }
                             sla::v1::BusinessCalendar& c = s.calendar;
                             if (has("display_name")) c.set_display_name(patch.display_name());
                             if (has("time_zone")) c.set_time_zone(patch.time_zone());
                             if (has("always_open")) c.set_always_open(patch.always_open());
                             if (has("weekly_intervals"))
                               *c.mutable_weekly_intervals() = patch.weekly_intervals();
                             if (has("holidays")) *c.mutable_holidays() = patch.holidays();
                             return Validate(c);
                           },
                           clock_()));
  return stored.calendar;
}

}  // namespace sla::contract
