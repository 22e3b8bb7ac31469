// TLS on the real binaries: contract-svc under mutual TLS accepts a client with a certificate
// its CA signed and refuses one without (and plaintext); its plaintext probe port answers health
// and nothing else; ticket-svc reaches it with --peer_tls_* (its client certificate) and fails
// without one. Certificates come from the openssl command, made fresh for each run.
#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/server/auth.h"
#include "common/server/raw_client.h"
#include "common/test_util/mariadb_env.h"
#include "google/protobuf/util/json_util.h"
#include "sla/contract/v1/contract_service.grpc.pb.h"
#include "sla/ticket/v1/ticket_service.grpc.pb.h"
#include "tests/suite_fixture.h"

namespace sla {
namespace {

namespace cpb = contract::v1;
namespace tpb = ticket::v1;

class TlsTest : public SuiteProcessTest {
 protected:
  void SetUp() override {
    contract_db_ = NewDatabase("tls");
    ticket_db_ = NewDatabase("tls");
    ASSERT_TRUE(contract_db_ && ticket_db_);
    // A CA, a server certificate for localhost/127.0.0.1, a client certificate signed by the
    // CA, and a second CA that signed nothing of ours.
    const std::string script = absl::StrCat(
        "set -e; cd ", dir_, "; ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';",
        "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj /CN=sla-test-ca;",
        "openssl req -x509 $ec -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca;",
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' "
        ">server.ext;",
        "printf 'extendedKeyUsage=clientAuth\\n' >client.ext;",
        "openssl req $ec -keyout server.key -out server.csr -subj /CN=localhost;",
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 ",
        "  -extfile server.ext -out server.pem;",
        "openssl req $ec -keyout client.key -out client.csr -subj /CN=ticket-svc;",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 ",
        "  -extfile client.ext -out client.pem;",
        // RS256 token keys: the identity provider's and ticket-svc's own (trusted), and a rogue
        // one.
        "for k in idp ticket rogue; do openssl genpkey -algorithm RSA -pkeyopt "
        "rsa_keygen_bits:2048 -out $k-jwt.key;",
        "  openssl pkey -in $k-jwt.key -pubout -out $k-jwt.pub; done; { cat idp-jwt.pub; echo "
        "'sla-service: ticket-svc'; cat ticket-jwt.pub; } >trusted-jwt.pub;");
    std::ofstream(dir_ + "/make-certs.sh") << script;
    ASSERT_EQ(
        std::system(
            absl::StrCat("bash ", dir_, "/make-certs.sh >", dir_, "/openssl.log 2>&1").c_str()),
        0)
        << ReadFile(dir_ + "/openssl.log");
  }

  std::vector<std::string> ServerTls() const {
    return {absl::StrCat("--tls_cert_file=", dir_, "/server.pem"),
            absl::StrCat("--tls_key_file=", dir_, "/server.key"),
            absl::StrCat("--tls_client_ca_file=", dir_, "/ca.pem")};
  }

  // A TLS channel to 127.0.0.1:port checking the server as "localhost"; with the client
  // certificate when `with_cert`.
  std::shared_ptr<grpc::Channel> TlsChannel(int port, bool with_cert,
                                            const std::string& ca = "ca.pem") {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(dir_ + "/" + ca);
    if (with_cert) {
      ssl.pem_cert_chain = ReadFile(dir_ + "/client.pem");
      ssl.pem_private_key = ReadFile(dir_ + "/client.key");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port), grpc::SslCredentials(ssl),
                                     args);
  }

  // A customer with the example contract active since yesterday.
  struct Contracted {
    std::string customer;
    std::string contract;
  };
  void ActivateExample(cpb::ContractService::Stub& cstub, Contracted* out) {
    CreateExampleCalendars(cstub);
    if (HasFatalFailure()) return;
    cpb::Customer customer;
    cpb::Contract active;
    ActivateExampleContract(cstub, "Acme", absl::Now() - absl::Hours(24), &customer, &active);
    *out = {customer.name(), active.name()};
  }

  // A P2 ticket on the contract, through ticket-svc on `port` (plaintext, loopback).
  grpc::Status CreateTicket(int port, const Contracted& c) {
    auto tstub = tpb::TicketService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    tpb::CreateTicketRequest t;
    t.set_parent(c.customer);
    t.mutable_ticket()->set_contract(c.contract);
    t.mutable_ticket()->set_service_id("service-desk");
    t.mutable_ticket()->set_priority(sla::v1::PRIORITY_P2);
    t.mutable_ticket()->set_title("Printer offline");
    t.mutable_ticket()->set_reporter("somchai@acme.example");
    tpb::Ticket out;
    return tstub->CreateTicket(As("msp_agent").get(), t, &out);
  }

  std::unique_ptr<test::ScratchDatabase> contract_db_, ticket_db_;
};

TEST_F(TlsTest, MutualTlsAdmitsOnlyClientsWithACertificateOfTheCa) {
  const int health_port = FreePort();
  ASSERT_GT(health_port, 0);
  std::vector<std::string> flags = ServerTls();
  flags.push_back(absl::StrCat("--health_port=", health_port));
  auto contract = Start(SLA_CONTRACT_SVC, *contract_db_, "contract.log", flags);
  const int port = contract->WaitForPort();
  ASSERT_GT(port, 0);
  EXPECT_NE(contract->log().find("\"tls\":\"mtls\""), std::string::npos);

  // With the client certificate: health, and an authenticated RPC.
  auto ok_channel = TlsChannel(port, /*with_cert=*/true);
  EXPECT_EQ(server::CheckServing(ok_channel, "", absl::Seconds(10)).value_or(false), true);
  auto stub = cpb::ContractService::NewStub(ok_channel);
  cpb::ListCustomersRequest list;
  cpb::ListCustomersResponse customers;
  const grpc::Status listed = stub->ListCustomers(As("msp_admin").get(), list, &customers);
  EXPECT_TRUE(listed.ok()) << listed.error_message();

  // Without a certificate, trusting another CA, or in plaintext: no call gets through.
  absl::StatusOr<bool> no_cert =
      server::CheckServing(TlsChannel(port, false), "", absl::Seconds(5));
  EXPECT_FALSE(no_cert.ok());
  EXPECT_EQ(no_cert.status().code(), absl::StatusCode::kUnavailable) << no_cert.status();
  EXPECT_FALSE(
      server::CheckServing(TlsChannel(port, true, "other-ca.pem"), "", absl::Seconds(5)).ok());
  auto plain =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  EXPECT_FALSE(server::CheckServing(plain, "", absl::Seconds(5)).ok());
  cpb::ListCustomersResponse unused;
  EXPECT_EQ(cpb::ContractService::NewStub(TlsChannel(port, false))
                ->ListCustomers(As("msp_admin").get(), list, &unused)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // The probe port: plaintext health for the kubelet, and no RPC of the service.
  auto probe = grpc::CreateChannel(absl::StrCat("127.0.0.1:", health_port),
                                   grpc::InsecureChannelCredentials());
  EXPECT_EQ(server::CheckServing(probe, "", absl::Seconds(5)).value_or(false), true);
  EXPECT_EQ(server::CheckServing(probe, "sla.contract.v1.ContractService", absl::Seconds(5))
                .value_or(false),
            true);
  EXPECT_EQ(cpb::ContractService::NewStub(probe)
                ->ListCustomers(As("msp_admin").get(), list, &unused)
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);

  // Draining takes the probe port to NOT_SERVING too, then both close.
  EXPECT_EQ(contract->Terminate(), 0);
  EXPECT_FALSE(server::CheckServing(probe, "", absl::Milliseconds(500)).value_or(false));
}

TEST_F(TlsTest, TicketSvcCallsContractSvcWithItsClientCertificate) {
  auto contract = Start(SLA_CONTRACT_SVC, *contract_db_, "contract.log", ServerTls());
  const int contract_port = contract->WaitForPort();
  ASSERT_GT(contract_port, 0);
  auto cstub = cpb::ContractService::NewStub(TlsChannel(contract_port, true));
  Contracted acme;
  ActivateExample(*cstub, &acme);
  if (HasFatalFailure()) return;

  // By IP: the certificate names 127.0.0.1 too, and no resolver runs (c-ares leaks a few bytes
  // per process under LeakSanitizer).
  const std::string peer = absl::StrCat("--contract_address=127.0.0.1:", contract_port);
  const std::string ca = absl::StrCat("--peer_tls_ca_file=", dir_, "/ca.pem");

  // ticket-svc resolves the contract's terms over mTLS.
  auto ticket = Start(SLA_TICKET_SVC, *ticket_db_, "ticket.log",
                      {peer, ca, absl::StrCat("--peer_tls_cert_file=", dir_, "/client.pem"),
                       absl::StrCat("--peer_tls_key_file=", dir_, "/client.key")});
  const int ticket_port = ticket->WaitForPort();
  ASSERT_GT(ticket_port, 0);
  const grpc::Status created = CreateTicket(ticket_port, acme);
  EXPECT_TRUE(created.ok()) << created.error_message() << "\n" << ticket->log();
  EXPECT_EQ(ticket->Terminate(), 0);

  // The same ticket-svc without its client certificate cannot reach contract-svc: the ticket
  // is refused as unavailable, not created without terms.
  // A database of its own, so that nothing ticket-svc cached of the terms hides the failure.
  auto other_db = test::ScratchDatabase::Create("tls");
  ASSERT_TRUE(other_db.ok()) << other_db.status();
  auto no_cert = Start(SLA_TICKET_SVC, **other_db, "ticket-no-cert.log", {peer, ca});
  const int no_cert_port = no_cert->WaitForPort();
  ASSERT_GT(no_cert_port, 0);
  EXPECT_EQ(CreateTicket(no_cert_port, acme).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(no_cert->Terminate(), 0);
  EXPECT_EQ(contract->Terminate(), 0);
}

// cert-manager rewrites the certificate files before they expire: the service takes the new
// certificate without a restart. Here the renewed server certificate comes from another CA, so
// a client trusting only that CA tells which one the server presents.
TEST_F(TlsTest, ARotatedServerCertificateIsServedWithoutARestart) {
  ASSERT_EQ(
      std::system(absl::StrCat("cd ", dir_, " && cp server.pem live.pem && cp server.key live.key")
                      .c_str()),
      0);
  std::vector<std::string> flags = {absl::StrCat("--tls_cert_file=", dir_, "/live.pem"),
                                    absl::StrCat("--tls_key_file=", dir_, "/live.key"),
                                    absl::StrCat("--tls_client_ca_file=", dir_, "/ca.pem"),
                                    "--tls_reload_s=1"};
  auto contract = Start(SLA_CONTRACT_SVC, *contract_db_, "contract-rotation.log", flags);
  const int port = contract->WaitForPort();
  ASSERT_GT(port, 0);
  EXPECT_EQ(
      server::CheckServing(TlsChannel(port, true, "ca.pem"), "", absl::Seconds(10)).value_or(false),
      true);
  EXPECT_FALSE(
      server::CheckServing(TlsChannel(port, true, "other-ca.pem"), "", absl::Seconds(3)).ok());

  // The renewal: a new key and certificate (signed by other-ca), written over the files.
  const std::string renew = absl::StrCat(
      "set -e; cd ", dir_, "; openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ",
      "-keyout renewed.key -out renewed.csr -subj /CN=localhost; openssl x509 -req -in renewed.csr "
      "-CA other-ca.pem ",
      "-CAkey other-ca.key -CAcreateserial -days 2 -extfile server.ext -out renewed.pem; ",
      "cp renewed.key live.key.new && cp renewed.pem live.pem.new && mv live.key.new live.key && "
      "mv live.pem.new live.pem");
  ASSERT_EQ(std::system(absl::StrCat(renew, " >", dir_, "/renew.log 2>&1").c_str()), 0)
      << ReadFile(dir_ + "/renew.log");
  bool renewed = false;
  for (int i = 0; i < 50 && !renewed; ++i) {
    absl::SleepFor(absl::Milliseconds(200));
    renewed = server::CheckServing(TlsChannel(port, true, "other-ca.pem"), "", absl::Seconds(3))
                  .value_or(false);
  }
  EXPECT_TRUE(renewed) << contract->log();
  EXPECT_FALSE(server::CheckServing(TlsChannel(port, true, "ca.pem"), "", absl::Seconds(3)).ok());
  EXPECT_EQ(contract->Terminate(), 0);  // the same process throughout
}

TEST_F(TlsTest, Rs256TokensFromTheIdentityProviderAndTheServicesOwnKeys) {
  // Users' tokens come from the identity provider's key; ticket-svc signs its calls to
  // contract-svc with its own; both services trust the two public keys and nothing else.
  auto pem = [&](const std::string& f) { return ReadFile(absl::StrCat(dir_, "/", f)); };
  jwt_ = {"", "sla-platform", "sla-platform"};
  jwt_.algorithm = server::JwtAlgorithm::kRs256;
  jwt_.private_key_pem = pem("idp-jwt.key");
  const std::vector<std::string> rs256 = {
      "--jwt_algorithm=RS256", absl::StrCat("--jwt_key_file=", dir_, "/trusted-jwt.pub")};
  // contract-svc reads its own copy of the trusted keys, re-read every second (rotation below).
  std::ofstream(dir_ + "/contract-jwt.pub") << pem("trusted-jwt.pub");
  auto contract =
      Start(SLA_CONTRACT_SVC, *contract_db_, "contract-rs256.log",
            {"--jwt_algorithm=RS256", absl::StrCat("--jwt_key_file=", dir_, "/contract-jwt.pub"),
             "--jwt_key_reload_s=1"});
  const int contract_port = contract->WaitForPort();
  ASSERT_GT(contract_port, 0);
  auto cstub = cpb::ContractService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", contract_port), grpc::InsecureChannelCredentials()));
  Contracted acme;
  ActivateExample(*cstub, &acme);
  if (HasFatalFailure()) return;

  std::vector<std::string> ticket_flags = rs256;
  ticket_flags.push_back(absl::StrCat("--contract_address=127.0.0.1:", contract_port));
  ticket_flags.push_back(absl::StrCat("--jwt_signing_key_file=", dir_, "/ticket-jwt.key"));
  auto ticket = Start(SLA_TICKET_SVC, *ticket_db_, "ticket-rs256.log", ticket_flags);
  const int ticket_port = ticket->WaitForPort();
  ASSERT_GT(ticket_port, 0);
  const grpc::Status created = CreateTicket(ticket_port, acme);
  EXPECT_TRUE(created.ok()) << created.error_message() << "\n" << ticket->log();

  // An HS256 token, and an RS256 token of an untrusted key, are refused.
  cpb::ListCustomersRequest list;
  cpb::ListCustomersResponse customers;
  const server::JwtConfig idp = jwt_;
  jwt_ = {key_, "sla-platform", "sla-platform"};
  EXPECT_EQ(cstub->ListCustomers(As("msp_admin").get(), list, &customers).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  jwt_ = idp;
  jwt_.private_key_pem = pem("rogue-jwt.key");  // an RSA key nobody trusts
  EXPECT_EQ(cstub->ListCustomers(As("msp_admin").get(), list, &customers).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  jwt_ = idp;
  EXPECT_TRUE(cstub->ListCustomers(As("msp_admin").get(), list, &customers).ok());

  // Key rotation without a restart: the "rogue" key becomes the identity provider's next key.
  // Once contract-svc re-read the file, its tokens are accepted.
  std::ofstream(dir_ + "/contract-jwt.pub", std::ios::trunc)
      << pem("trusted-jwt.pub") << pem("rogue-jwt.pub");
  jwt_.private_key_pem = pem("rogue-jwt.key");
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  for (int i = 0; i < 50 && code != grpc::StatusCode::OK; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    code = cstub->ListCustomers(As("msp_admin").get(), list, &customers).error_code();
  }
  EXPECT_EQ(code, grpc::StatusCode::OK) << contract->log();
  EXPECT_NE(contract->log().find("jwt keys reloaded"), std::string::npos);
  jwt_ = idp;
  EXPECT_EQ(ticket->Terminate(), 0);
  EXPECT_EQ(contract->Terminate(), 0);
}

}  // namespace
}  // namespace sla
