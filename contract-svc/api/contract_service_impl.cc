#include "contract-svc/api/contract_service_impl.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/server/request_fingerprint.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "contract-svc/app/access.h"
#include "google/protobuf/util/time_util.h"

namespace sla::contract {
namespace {

using google::protobuf::util::TimeUtil;

std::string NewId(const char* prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("%s-%016x", prefix, rng());
}

std::vector<std::string> MaskPaths(const google::protobuf::FieldMask& mask) {
  return {mask.paths().begin(), mask.paths().end()};
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

void ToProto(const Customer& c, pb::Customer* out) {
  out->set_name(c.name());
  out->set_display_name(c.display_name);
  out->set_state(static_cast<pb::Customer::State>(static_cast<int>(c.state)));
  out->set_time_zone(c.time_zone);
  out->set_etag(c.etag());
  *out->mutable_create_time() = ToTimestamp(c.create_time);
  *out->mutable_update_time() = ToTimestamp(c.update_time);
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t));
}

void ToProto(const ContractView& v, pb::Contract* out) {
  const Contract& c = v.contract;
  out->set_name(c.name());
  out->set_display_name(c.display_name);
  out->set_state(static_cast<pb::Contract::State>(static_cast<int>(c.state)));
  *out->mutable_terms() = v.terms;
  out->set_version(c.latest_version);
  if (c.termination_time) *out->mutable_termination_time() = ToTimestamp(*c.termination_time);
  out->set_etag(c.etag());
  *out->mutable_create_time() = ToTimestamp(c.create_time);
  *out->mutable_update_time() = ToTimestamp(c.update_time);
}

absl::Status RequiredTime(const google::protobuf::Timestamp& t, bool present, const char* field) {
  if (!present) return InvalidField(field, "is required");
  // The range RFC 3339 can write: 0001-01-01 to 9999-12-31.
  if (t.seconds() < -62135596800 || t.seconds() > 253402300799 || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return InvalidField(field, "is not a valid timestamp");
  }
  return absl::OkStatus();
}

Customer FromProto(const pb::Customer& p) {
  Customer c;
  c.display_name = p.display_name();
  c.time_zone = p.time_zone();
  c.state = static_cast<Customer::State>(static_cast<int>(p.state()));
  return c;
}

}  // namespace

ContractServiceImpl::ContractServiceImpl(const server::RpcBoundary& boundary,
                                         std::unique_ptr<CustomerRepository> customers,
                                         std::unique_ptr<CalendarRepository> calendars,
                                         std::unique_ptr<ContractRepository> contracts,
                                         std::unique_ptr<ApiKeyRepository> api_keys,
                                         std::function<absl::Time()> clock)
    : boundary_(boundary),
      customer_repo_(std::move(customers)),
      calendar_repo_(std::move(calendars)),
      contract_repo_(std::move(contracts)),
      api_key_repo_(std::move(api_keys)),
      customers_(customer_repo_.get(), clock, [] { return NewId("cust"); }),
      calendars_(calendar_repo_.get(), clock, [] { return NewId("cal"); }),
      contracts_(contract_repo_.get(), calendar_repo_.get(), clock, [] { return NewId("ctr"); }),
      terms_(&contracts_, contract_repo_.get(), clock),
      api_keys_(api_key_repo_.get(), customer_repo_.get(), clock, [] { return NewId("key"); }) {}

grpc::Status ContractServiceImpl::CreateCustomer(grpc::ServerContext* ctx,
                                                 const pb::CreateCustomerRequest* req,
                                                 pb::Customer* resp) {
  return boundary_.Run(
      ctx, "CreateCustomer", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(Customer c,
                             customers_.Create(call.identity, FromProto(req->customer()),
                                               server::RequestKeyOf(*req)));
        ToProto(c, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::GetCustomer(grpc::ServerContext* ctx,
                                              const pb::GetCustomerRequest* req,
                                              pb::Customer* resp) {
  return boundary_.Run(
      ctx, "GetCustomer", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(Customer c, customers_.Get(call.identity, req->name()));
        ToProto(c, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::ListCustomers(grpc::ServerContext* ctx,
                                                const pb::ListCustomersRequest* req,
                                                pb::ListCustomersResponse* resp) {
  return boundary_.Run(
      ctx, "ListCustomers", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(
            CustomerManager::Page page,
            customers_.List(call.identity, req->page_size(), req->page_token(), req->filter()));
        for (const Customer& c : page.customers) ToProto(c, resp->add_customers());
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::UpdateCustomer(grpc::ServerContext* ctx,
                                                 const pb::UpdateCustomerRequest* req,
                                                 pb::Customer* resp) {
  return boundary_.Run(
      ctx, "UpdateCustomer", *req, [&](const server::CallContext& call) -> absl::Status {
        const std::vector<std::string> mask = MaskPaths(req->update_mask());
        if (std::find(mask.begin(), mask.end(), "state") != mask.end() &&
            req->customer().state() == pb::Customer::STATE_UNSPECIFIED) {
          return InvalidField("customer.state", "must be ACTIVE, SUSPENDED or ARCHIVED");
        }
        SLA_ASSIGN_OR_RETURN(Customer c, customers_.Update(call.identity, req->customer().name(),
                                                           req->customer().etag(),
                                                           FromProto(req->customer()), mask));
        ToProto(c, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::CreateCalendar(grpc::ServerContext* ctx,
                                                 const pb::CreateCalendarRequest* req,
                                                 ::sla::v1::BusinessCalendar* resp) {
  return boundary_.Run(
      ctx, "CreateCalendar", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(*resp,
                             calendars_.Create(call.identity, req->calendar(), req->calendar_id(),
                                               server::RequestKeyOf(*req)));
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::GetCalendar(grpc::ServerContext* ctx,
                                              const pb::GetCalendarRequest* req,
                                              ::sla::v1::BusinessCalendar* resp) {
  return boundary_.Run(ctx, "GetCalendar", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_ASSIGN_OR_RETURN(*resp, calendars_.Get(call.identity, req->name()));
                         return absl::OkStatus();
                       });
}

grpc::Status ContractServiceImpl::ListCalendars(grpc::ServerContext* ctx,
                                                const pb::ListCalendarsRequest* req,
                                                pb::ListCalendarsResponse* resp) {
  return boundary_.Run(
      ctx, "ListCalendars", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(CalendarManager::Page page,
                             calendars_.List(call.identity, req->page_size(), req->page_token()));
        for (auto& c : page.calendars) *resp->add_calendars() = std::move(c);
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::UpdateCalendar(grpc::ServerContext* ctx,
                                                 const pb::UpdateCalendarRequest* req,
                                                 ::sla::v1::BusinessCalendar* resp) {
  return boundary_.Run(
      ctx, "UpdateCalendar", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(*resp, calendars_.Update(call.identity, req->calendar(),
                                                      MaskPaths(req->update_mask())));
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::CreateContract(grpc::ServerContext* ctx,
                                                 const pb::CreateContractRequest* req,
                                                 pb::Contract* resp) {
  return boundary_.Run(
      ctx, "CreateContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(
            ContractView v,
            contracts_.Create(call.identity, req->parent(), req->contract().display_name(),
                              req->contract().terms(), server::RequestKeyOf(*req)));
        ToProto(v, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::GetContract(grpc::ServerContext* ctx,
                                              const pb::GetContractRequest* req,
                                              pb::Contract* resp) {
  return boundary_.Run(
      ctx, "GetContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(ContractView v, contracts_.Get(call.identity, req->name()));
        ToProto(v, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::ListContracts(grpc::ServerContext* ctx,
                                                const pb::ListContractsRequest* req,
                                                pb::ListContractsResponse* resp) {
  return boundary_.Run(
      ctx, "ListContracts", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(ContractManager::Page page,
                             contracts_.List(call.identity, req->parent(), req->page_size(),
                                             req->page_token(), req->filter()));
        for (const ContractView& v : page.contracts) ToProto(v, resp->add_contracts());
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::UpdateContract(grpc::ServerContext* ctx,
                                                 const pb::UpdateContractRequest* req,
                                                 pb::Contract* resp) {
  return boundary_.Run(
      ctx, "UpdateContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(
            ContractView v,
            contracts_.UpdateDraft(call.identity, req->contract().name(), req->contract().etag(),
                                   req->contract().display_name(), req->contract().terms(),
                                   MaskPaths(req->update_mask())));
        ToProto(v, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::ActivateContract(grpc::ServerContext* ctx,
                                                   const pb::ActivateContractRequest* req,
                                                   pb::Contract* resp) {
  return boundary_.Run(
      ctx, "ActivateContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(
            RequiredTime(req->effective_from(), req->has_effective_from(), "effective_from"));
        SLA_ASSIGN_OR_RETURN(ContractView v,
                             contracts_.Activate(call.identity, req->name(), req->etag(),
                                                 FromTimestamp(req->effective_from())));
        ToProto(v, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::AmendContract(grpc::ServerContext* ctx,
                                                const pb::AmendContractRequest* req,
                                                pb::Contract* resp) {
  return boundary_.Run(
      ctx, "AmendContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(
            RequiredTime(req->effective_from(), req->has_effective_from(), "effective_from"));
        SLA_ASSIGN_OR_RETURN(ContractView v,
                             contracts_.Amend(call.identity, req->name(), req->etag(), req->terms(),
                                              FromTimestamp(req->effective_from())));
        ToProto(v, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::TerminateContract(grpc::ServerContext* ctx,
                                                    const pb::TerminateContractRequest* req,
                                                    pb::Contract* resp) {
  return boundary_.Run(
      ctx, "TerminateContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(
            RequiredTime(req->effective_time(), req->has_effective_time(), "effective_time"));
        SLA_ASSIGN_OR_RETURN(
            ContractView v,
            contracts_.Terminate(call.identity, req->name(), req->etag(), req->reason(),
                                 FromTimestamp(req->effective_time()), req->for_cause()));
        ToProto(v, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::ResolveTerms(grpc::ServerContext* ctx,
                                               const pb::ResolveTermsRequest* req,
                                               pb::ResolveTermsResponse* resp) {
  return boundary_.Run(
      ctx, "ResolveTerms", *req, [&](const server::CallContext& call) -> absl::Status {
        ResolvedVersion r;
        if (!req->version().empty()) {
          SLA_ASSIGN_OR_RETURN(
              r, terms_.ResolveVersion(call.identity, req->contract(), req->version()));
        } else {
          SLA_RETURN_IF_ERROR(RequiredTime(req->at(), req->has_at(), "at"));
          SLA_ASSIGN_OR_RETURN(
              r, terms_.ResolveTerms(call.identity, req->contract(), FromTimestamp(req->at())));
        }
        pb::ContractVersion* v = resp->mutable_version();
        v->set_name(r.version.name());
        *v->mutable_terms() = std::move(r.version.terms);
        *v->mutable_effective_from() = ToTimestamp(r.version.effective_from);
        if (r.effective_until) *v->mutable_effective_until() = ToTimestamp(*r.effective_until);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::LintContract(grpc::ServerContext* ctx,
                                               const pb::LintContractRequest* req,
                                               pb::LintContractResponse* resp) {
  return boundary_.Run(
      ctx, "LintContract", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(
            std::vector<LintFinding> findings,
            terms_.Lint(call.identity, req->name(), req->history_lookback_periods()));
        for (const LintFinding& f : findings) {
          pb::LintFinding* out = resp->add_findings();
          out->set_severity(f.severity == Severity::kError     ? pb::LintFinding::ERROR
                            : f.severity == Severity::kWarning ? pb::LintFinding::WARNING
                                                               : pb::LintFinding::INFO);
          out->set_rule(f.rule);
          out->set_field_path(f.field_path);
          out->set_message(f.message);
        }
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::RenderAgreement(grpc::ServerContext* ctx,
                                                  const pb::RenderAgreementRequest* req,
                                                  pb::RenderAgreementResponse* resp) {
  return boundary_.Run(
      ctx, "RenderAgreement", *req, [&](const server::CallContext& call) -> absl::Status {
        if (req->format() == pb::RenderAgreementRequest::FORMAT_UNSPECIFIED) {
          return InvalidField("format", "must be MARKDOWN or HTML");
        }
        // The customer's display name for the heading; the contract's own read check follows.
        std::string customer_name;
        if (const size_t at = req->name().find("/contracts/"); at != std::string::npos) {
          absl::StatusOr<Customer> customer =
              customers_.Get(call.identity, req->name().substr(0, at));
          if (customer.ok()) customer_name = customer->display_name;
        }
        SLA_ASSIGN_OR_RETURN(AgreementDocument doc,
                             terms_.Agreement(call.identity, req->name(), customer_name));
        if (req->format() == pb::RenderAgreementRequest::HTML) {
          resp->set_content(RenderHtml(doc));
          resp->set_content_type("text/html; charset=utf-8");
        } else {
          resp->set_content(RenderMarkdown(doc));
          resp->set_content_type("text/markdown; charset=utf-8");
        }
        return absl::OkStatus();
      });
}

namespace {

void ToProto(const ApiKey& k, pb::ApiKey* out) {
  out->set_name(k.name());
  out->set_display_name(k.display_name);
  for (const std::string& r : k.roles) out->add_roles(r);
  if (!k.customer_id.empty()) out->set_customer(absl::StrCat("customers/", k.customer_id));
  out->set_state(k.state == ApiKey::State::kActive ? pb::ApiKey::ACTIVE : pb::ApiKey::REVOKED);
  if (k.expire_time) *out->mutable_expire_time() = ToTimestamp(*k.expire_time);
  out->set_secret_hint(k.secret_hint);
  if (k.rotate_time) *out->mutable_rotate_time() = ToTimestamp(*k.rotate_time);
  if (k.previous_secret_expire_time) {
    *out->mutable_previous_secret_expire_time() = ToTimestamp(*k.previous_secret_expire_time);
  }
  if (k.revoke_time) *out->mutable_revoke_time() = ToTimestamp(*k.revoke_time);
  out->set_creator(k.creator);
  *out->mutable_create_time() = ToTimestamp(k.create_time);
  out->set_etag(k.etag());
}

absl::StatusOr<ApiKey> FromProto(const pb::ApiKey& p) {
  ApiKey k;
  k.display_name = p.display_name();
  k.roles = {p.roles().begin(), p.roles().end()};
  if (!p.customer().empty()) {
    SLA_ASSIGN_OR_RETURN(k.customer_id, ParseCustomerName(p.customer(), "api_key.customer"));
  }
  if (p.has_expire_time()) {
    SLA_RETURN_IF_ERROR(RequiredTime(p.expire_time(), true, "api_key.expire_time"));
    k.expire_time = FromTimestamp(p.expire_time());
  }
  return k;
}

// Secrets resolved by contract-svc's own boundary.
class LocalResolver final : public server::ApiKeyResolver {
 public:
  explicit LocalResolver(ApiKeyManager* keys) : keys_(keys) {}
  absl::StatusOr<server::ApiKeyIdentity> Resolve(absl::string_view secret, absl::Time) override {
    SLA_ASSIGN_OR_RETURN(ApiKeyManager::Authenticated a, keys_->Resolve(std::string(secret)));
    return server::ApiKeyIdentity{std::move(a.identity), a.until.value_or(absl::InfiniteFuture())};
  }

 private:
  ApiKeyManager* keys_;
};

}  // namespace

std::unique_ptr<server::ApiKeyResolver> ContractServiceImpl::LocalApiKeyResolver() {
  return std::make_unique<LocalResolver>(&api_keys_);
}

grpc::Status ContractServiceImpl::CreateApiKey(grpc::ServerContext* ctx,
                                               const pb::CreateApiKeyRequest* req,
                                               pb::CreateApiKeyResponse* resp) {
  return boundary_.Run(
      ctx, "CreateApiKey", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_RETURN_IF_ERROR(RequireMspAdmin(call.identity, "API keys"));
        SLA_ASSIGN_OR_RETURN(ApiKey input, FromProto(req->api_key()));
        SLA_ASSIGN_OR_RETURN(
            ApiKeyManager::WithSecret created,
            api_keys_.Create(call.identity, std::move(input), server::RequestKeyOf(*req)));
        ToProto(created.key, resp->mutable_api_key());
        resp->set_secret(created.secret);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::GetApiKey(grpc::ServerContext* ctx,
                                            const pb::GetApiKeyRequest* req, pb::ApiKey* resp) {
  return boundary_.Run(ctx, "GetApiKey", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_ASSIGN_OR_RETURN(ApiKey k, api_keys_.Get(call.identity, req->name()));
                         ToProto(k, resp);
                         return absl::OkStatus();
                       });
}

grpc::Status ContractServiceImpl::ListApiKeys(grpc::ServerContext* ctx,
                                              const pb::ListApiKeysRequest* req,
                                              pb::ListApiKeysResponse* resp) {
  return boundary_.Run(
      ctx, "ListApiKeys", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(
            ApiKeyManager::Page page,
            api_keys_.List(call.identity, req->page_size(), req->page_token(), req->filter()));
        for (const ApiKey& k : page.keys) ToProto(k, resp->add_api_keys());
        resp->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::RotateApiKey(grpc::ServerContext* ctx,
                                               const pb::RotateApiKeyRequest* req,
                                               pb::RotateApiKeyResponse* resp) {
  return boundary_.Run(
      ctx, "RotateApiKey", *req, [&](const server::CallContext& call) -> absl::Status {
        std::optional<absl::Duration> grace;
        if (req->has_grace_period()) {
          const auto& g = req->grace_period();
          if (g.nanos() < -999999999 || g.nanos() > 999999999)
            return InvalidField("grace_period", "is not a valid duration");
          grace = absl::Seconds(g.seconds()) + absl::Nanoseconds(g.nanos());
        }
        SLA_ASSIGN_OR_RETURN(ApiKeyManager::WithSecret rotated,
                             api_keys_.Rotate(call.identity, req->name(), req->etag(), grace));
        ToProto(rotated.key, resp->mutable_api_key());
        resp->set_secret(rotated.secret);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::RevokeApiKey(grpc::ServerContext* ctx,
                                               const pb::RevokeApiKeyRequest* req,
                                               pb::ApiKey* resp) {
  return boundary_.Run(
      ctx, "RevokeApiKey", *req, [&](const server::CallContext& call) -> absl::Status {
        SLA_ASSIGN_OR_RETURN(ApiKey k, api_keys_.Revoke(call.identity, req->name(), req->etag()));
        ToProto(k, resp);
        return absl::OkStatus();
      });
}

grpc::Status ContractServiceImpl::AuthenticateApiKey(grpc::ServerContext* ctx,
                                                     const pb::AuthenticateApiKeyRequest* req,
                                                     pb::AuthenticateApiKeyResponse* resp) {
  return boundary_.Run(ctx, "AuthenticateApiKey", *req,
                       [&](const server::CallContext& call) -> absl::Status {
                         SLA_ASSIGN_OR_RETURN(ApiKeyManager::Authenticated a,
                                              api_keys_.Authenticate(call.identity, req->secret()));
                         resp->set_subject(a.identity.subject);
                         for (const std::string& r : a.identity.roles) resp->add_roles(r);
                         resp->set_tenant(a.identity.tenant);
                         if (a.until) *resp->mutable_expire_time() = ToTimestamp(*a.until);
                         return absl::OkStatus();
                       });
}

}  // namespace sla::contract
