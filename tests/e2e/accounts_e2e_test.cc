// Learner accounts end to end (issue 20): hubsyncd as a child process with
// its delivery worker sending to a real SMTP listener (smtp_sink.py, Python's
// aiosmtpd, whose records are the message as Python's email package parses
// it), driven by the real hubsync CLI: a sync that ticks some emails, the
// messages that arrive, a token redeemed once, logins allowed and refused; a
// relay that goes away and comes back; a server killed with -9 mid-delivery.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hubsync/v1/accounts.pb.h"
#include "hubsync/v1/hub.pb.h"
#include "hubsync/v1/sync.pb.h"
#include "tests/testing/fakes.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

const std::string kBin = HUBSYNC_BINARY_DIR;

// hubsyncd on port 0 delivering to `smtp_port`, and the CLI against it with
// an admin key of one school and a product key.
class Hub {
 public:
  Hub(const TempDir& dir, int smtp_port, std::vector<std::string> extra = {})
      : db_(dir.File("hub.db")) {
    RunResult init =
        Run({kBin + "/hubsyncd", "--db", db_, "--init-operator-key"});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    operator_key_ = std::string(absl::StripAsciiWhitespace(init.out));
    flags_ = {"--smtp_host",
              "127.0.0.1",
              "--smtp_port",
              std::to_string(smtp_port),
              "--smtp_security",
              "none",
              "--mail_from",
              "no-reply@oak.example",
              "--email_retry_seconds",
              "1",
              "--email_retry_max_seconds",
              "2",
              "--email_lease_seconds",
              "2"};
    flags_.insert(flags_.end(), extra.begin(), extra.end());
    Start();
    key_ = operator_key_;
    RunResult school = Cli({"--json", "school", "create", "Oak Academy"});
    EXPECT_EQ(school.exit_code, 0) << school.err;
    const size_t at = school.out.find("sch_");
    if (at != std::string::npos) school_ = school.out.substr(at, 20);
    product_key_ = Secret(Cli({"key", "create", "--role", "product", "--label",
                               "Boost Learning sign-in"}));
    key_ =
        Secret(Cli({"key", "create", "--school", school_, "--role", "admin"}));
  }

  // Starts (again) on the same database.
  void Start() {
    std::vector<std::string> argv = {kBin + "/hubsyncd", "--listen",
                                     "127.0.0.1:0", "--db", db_};
    argv.insert(argv.end(), flags_.begin(), flags_.end());
    child_ = std::make_unique<Child>(argv);
    const std::string line = child_->WaitForLine("listening on");
    const size_t colon = line.find(':', line.find("127.0.0.1"));
    address_ =
        colon == std::string::npos
            ? ""
            : "127.0.0.1:" + std::to_string(std::stoi(line.substr(colon + 1)));
  }
  Child& child() { return *child_; }
  bool up() const { return !address_.empty() && !school_.empty(); }
  const std::string& school() const { return school_; }
  const std::string& db() const { return db_; }

  RunResult Cli(std::vector<std::string> args, const std::string& input = "",
                const std::string& key = "") const {
    std::vector<std::string> argv = {kBin + "/hubsync", "--server", address_,
                                     "--api-key", key.empty() ? key_ : key};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunWithInput(argv, input);
  }
  std::string Ok(std::vector<std::string> args) const {
    RunResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out;
  }
  // As the partner product: the password on stdin.
  RunResult AsProduct(std::vector<std::string> args,
                      const std::string& password) const {
    args.push_back("--password-stdin");
    return Cli(args, password + "\n", product_key_);
  }
  std::vector<v1::VerificationEmail> Emails() const {
    std::vector<v1::VerificationEmail> out;
    const std::string text =
        Ok({"--json", "emails", "list", "--school", school_});
    for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      v1::VerificationEmail& e = out.emplace_back();
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(std::string(l), &e).ok());
    }
    return out;
  }

  // Uploads `mis_csv`, runs a sync of every learner with the email option,
  // imports every New row, ticks Sync email? for `emails` (MIS ids) and
  // saves (with `save_flags`); returns the save's output.
  std::string SyncAndSave(const TempDir& dir, const std::string& mis_csv,
                          const std::vector<std::string>& emails,
                          std::vector<std::string> save_flags = {}) {
    const std::string path = dir.File("mis.csv");
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(mis_csv.data(), 1, mis_csv.size(), f);
    std::fclose(f);
    Ok({"mis", "upload", "--school", school_, "--format", "plain", path});
    const std::string started =
        Ok({"--json", "sync", "start", "--school", school_, "--admin", "me"});
    const std::string session = started.substr(started.find("ses_"), 20);
    Ok({"sync", "proceed", session});
    Ok({"sync", "scope", session, "--all", "--sync-emails"});
    Ok({"sync", "proceed", session});
    Ok({"sync", "rows", session});  // every row is in
    Ok({"sync", "import-all", session});
    for (const std::string& mis_id : emails)
      Ok({"sync", "email", session, mis_id});
    std::vector<std::string> save = {"sync", "save", session};
    save.insert(save.end(), save_flags.begin(), save_flags.end());
    return Ok(save);
  }

 private:
  static std::string Secret(const RunResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::string(absl::StripAsciiWhitespace(r.out));
  }

  std::string db_;
  std::vector<std::string> flags_;
  std::unique_ptr<Child> child_;
  std::string address_, operator_key_, key_, product_key_, school_;
};

constexpr char kHeader[] =
    "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
    "registration_group,email\n";

// The text part's verification token (after "token=").
std::string TokenOf(const google::protobuf::Struct& m) {
  for (const auto& part : m.fields().at("parts").list_value().values()) {
    if (StructText(part.struct_value(), "content_type") != "text/plain")
      continue;
    const std::string text = StructText(part.struct_value(), "content");
    const size_t at = text.find("token=");
    if (at == std::string::npos) return "";
    return text.substr(at + 6, 32);
  }
  return "";
}

// The code the text part gives ("ABCD-EFGH").
std::string CodeOf(const google::protobuf::Struct& m) {
  for (const auto& part : m.fields().at("parts").list_value().values()) {
    const std::string text = StructText(part.struct_value(), "content");
    const std::string lead = "with your email address: ";
    const size_t at = text.find(lead);
    if (at != std::string::npos) return text.substr(at + lead.size(), 9);
  }
  return "";
}

std::string RecipientOf(const google::protobuf::Struct& m) {
  const auto& to = m.fields().at("rcpt_tos").list_value().values();
  return to.empty() ? "" : to[0].string_value();
}

TEST(AccountsE2eTest, TickedLearnersGetOneMessageTheTokenRedeemsOnceLogins) {
  TempDir dir;
  TempDir mail;
  SmtpSink sink(mail.path());
  Hub hub(dir, sink.port());
  ASSERT_TRUE(hub.up()) << "hubsyncd did not start";
  const std::string saved = hub.SyncAndSave(
      dir,
      std::string(kHeader) +
          "m-zoe,,Zoë,O'Brien,2012-03-05,8,8A,zoe@example.org\n"
          "m-luk,,Łukasz,Nowak,2012-04-06,8,8A,lukasz@example.org\n"
          "m-ann,,Ann,Lee,2012-05-07,8,8A,ann@example.org\n"
          "m-ben,,Ben,Hart,2012-06-08,8,8A,ben@example.org\n",
      {"m-zoe", "m-luk", "m-ann"});
  EXPECT_THAT(saved, HasSubstr("emails queued  3"));
  ASSERT_TRUE(sink.WaitForMessages(3));

  // Exactly the ticked learners, one well-formed message each.
  std::vector<google::protobuf::Struct> messages = sink.Messages();
  ASSERT_THAT(messages, SizeIs(3));
  std::map<std::string, google::protobuf::Struct> by_address;
  for (const auto& m : messages) by_address[RecipientOf(m)] = m;
  EXPECT_THAT(by_address,
              ::testing::ElementsAre(::testing::Key("ann@example.org"),
                                     ::testing::Key("lukasz@example.org"),
                                     ::testing::Key("zoe@example.org")));
  const google::protobuf::Struct& zoe = by_address["zoe@example.org"];
  EXPECT_EQ(StructText(zoe, "to"), "Zoë O'Brien <zoe@example.org>");
  EXPECT_EQ(StructText(zoe, "from"), "Admin Hub <no-reply@oak.example>");
  EXPECT_THAT(StructText(zoe, "subject"), HasSubstr("Oak Academy"));
  EXPECT_TRUE(zoe.fields().at("is_multipart").bool_value());
  EXPECT_TRUE(zoe.fields().at("defects").list_value().values().empty());
  std::vector<std::string> types;
  for (const auto& part : zoe.fields().at("parts").list_value().values())
    types.push_back(StructText(part.struct_value(), "content_type"));
  EXPECT_THAT(types, ElementsAre("text/plain", "text/html"));
  const std::string token = TokenOf(zoe);
  ASSERT_EQ(token.size(), 32u) << token;
  EXPECT_EQ(CodeOf(zoe).size(), 9u);
  for (const v1::VerificationEmail& e : hub.Emails()) {
    EXPECT_EQ(e.status(), "sent") << e.address();
    EXPECT_EQ(e.attempts(), 1);
  }

  // The token redeems once and only once; Łukasz's code with his address.
  const std::string password = "correct horse battery";
  RunResult redeemed =
      hub.AsProduct({"account", "redeem", "--token", token}, password);
  ASSERT_EQ(redeemed.exit_code, 0) << redeemed.err;
  EXPECT_THAT(redeemed.out, HasSubstr("verified zoe@example.org"));
  RunResult again =
      hub.AsProduct({"account", "redeem", "--token", token}, password);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("NOT_FOUND"));
  RunResult weak =
      hub.AsProduct({"account", "redeem", "--address", "lukasz@example.org",
                     "--code", CodeOf(by_address["lukasz@example.org"])},
                    "password123");
  EXPECT_THAT(weak.err, HasSubstr("most common passwords"));
  RunResult by_code = hub.AsProduct(
      {"account", "redeem", "--address", "Lukasz@Example.org", "--code",
       absl::AsciiStrToLower(CodeOf(by_address["lukasz@example.org"]))},
      "another long password");
  ASSERT_EQ(by_code.exit_code, 0) << by_code.err;

  // Subscribed to Boost Learning; Zoë granted it, Łukasz not.
  hub.Ok({"product", "subscribe", "boost-learning", "--school", hub.school()});
  const std::string zoe_id = [&] {
    for (const auto& e : hub.Emails())
      if (e.address() == "zoe@example.org") return e.learner_id();
    return std::string();
  }();
  hub.Ok({"grant", "add", "--school", hub.school(), "--product",
          "boost-learning", "--learner", zoe_id});
  RunResult in =
      hub.AsProduct({"account", "login", "--address", "zoe@example.org",
                     "--product", "boost-learning"},
                    password);
  ASSERT_EQ(in.exit_code, 0) << in.err;
  EXPECT_THAT(in.out,
              HasSubstr("logged in to boost-learning as learner " + zoe_id));

  // Every refusal reads the same.
  auto refusal = [&](const std::string& address, const std::string& product,
                     const std::string& pw) {
    RunResult r = hub.AsProduct(
        {"account", "login", "--address", address, "--product", product}, pw);
    EXPECT_NE(r.exit_code, 0) << address << " " << product;
    return r.err;
  };
  const std::string unsubscribed =
      refusal("zoe@example.org", "hodder-magazines", password);
  const std::string ungranted =
      refusal("lukasz@example.org", "boost-learning", "another long password");
  const std::string wrong =
      refusal("zoe@example.org", "boost-learning", "correct horse battery!");
  const std::string admin_hub =
      refusal("zoe@example.org", "admin-hub", password);
  const std::string unknown =
      refusal("nobody@example.org", "boost-learning", password);
  EXPECT_THAT(unsubscribed, HasSubstr("UNAUTHENTICATED"));
  EXPECT_EQ(ungranted, unsubscribed);
  EXPECT_EQ(wrong, unsubscribed);
  EXPECT_EQ(admin_hub, unsubscribed);
  EXPECT_EQ(unknown, unsubscribed);
  // A sync that ticks Zoë and Ann again: Zoë's address is verified, so
  // nothing goes to her; Ann, who never redeemed hers, gets a new one.
  const std::string mis =
      std::string(kHeader) +
      "m-zoe,,Zoë,O'Brien,2012-03-05,8,8A,zoe@example.org\n"
      "m-luk,,Łukasz,Nowak,2012-04-06,8,8A,lukasz@example.org\n"
      "m-ann,,Ann,Lee,2012-05-07,8,8A,ann@example.org\n"
      "m-ben,,Ben,Hart,2012-06-08,8,8A,ben@example.org\n";
  EXPECT_THAT(hub.SyncAndSave(dir, mis, {"m-zoe", "m-ann"}),
              HasSubstr("emails queued  1"));
  ASSERT_TRUE(sink.WaitForMessages(4));
  EXPECT_EQ(RecipientOf(sink.Messages()[3]), "ann@example.org");
  // Zoë leaves the school: desynced, she can no longer log in.
  const size_t zoe_line = mis.find("m-zoe");
  std::string without_zoe = mis;
  without_zoe.erase(zoe_line, mis.find('\n', zoe_line) + 1 - zoe_line);
  hub.SyncAndSave(dir, without_zoe, {}, {"--confirm-desync", "1"});
  EXPECT_EQ(refusal("zoe@example.org", "boost-learning", password),
            unsubscribed);
  // An admin key cannot log learners in.
  RunResult admin = hub.Cli({"account", "login", "--address", "zoe@example.org",
                             "--product", "boost-learning", "--password-stdin"},
                            password + "\n");
  EXPECT_THAT(admin.err, HasSubstr("PERMISSION_DENIED"));
}

TEST(AccountsE2eTest, ARelayThatGoesAwayGetsEveryEmailOnceItIsBack) {
  TempDir dir;
  TempDir mail;
  auto sink = std::make_unique<SmtpSink>(
      mail.path(), std::vector<std::string>{"--reply-delay", "0.2"});
  const int port = sink->port();
  Hub hub(dir, port);
  ASSERT_TRUE(hub.up());
  std::string csv = kHeader;
  std::vector<std::string> ticked;
  for (int i = 0; i < 12; ++i) {
    absl::StrAppend(&csv, "m-", i, ",,Pupil", i, ",Mason,2012-01-", 10 + i,
                    ",8,8A,pupil", i, "@example.org\n");
    ticked.push_back(absl::StrCat("m-", i));
  }
  hub.SyncAndSave(dir, csv, ticked);
  ASSERT_TRUE(sink->WaitForMessages(3));
  // The relay goes away mid-run: what is left stays queued, attempts and
  // the connection error recorded, and waits its backoff.
  EXPECT_EQ(sink->child().Stop(SIGTERM), 0);
  const std::vector<google::protobuf::Struct> first = sink->Messages();
  sink.reset();
  bool backing_off = false;
  for (int tries = 0; tries < 100 && !backing_off; ++tries) {
    for (const v1::VerificationEmail& e : hub.Emails()) {
      if (e.status() == "queued" && e.attempts() >= 1 &&
          !e.last_error().empty()) {
        backing_off = true;
        EXPECT_TRUE(e.has_next_attempt_time());
        EXPECT_THAT(e.last_error(), HasSubstr("127.0.0.1"));
      }
    }
    if (!backing_off) usleep(100000);
  }
  EXPECT_TRUE(backing_off) << "no email was queued again after a failure";
  // Back on the same port: every email arrives.
  TempDir mail_again;
  SmtpSink back(mail_again.path(), {}, port);
  const size_t before = [&] {
    std::set<std::string> ids;
    for (const auto& e : hub.Emails())
      if (e.status() == "sent") ids.insert(e.address());
    return ids.size();
  }();
  EXPECT_LT(before, 12u);
  ASSERT_TRUE(back.WaitForMessages(1));
  bool all_sent = false;
  for (int tries = 0; tries < 300 && !all_sent; ++tries) {
    all_sent = true;
    for (const auto& e : hub.Emails()) all_sent &= e.status() == "sent";
    if (!all_sent) usleep(100000);
  }
  ASSERT_TRUE(all_sent);
  // Each email arrived: once, or (the one the relay kept as it went away,
  // before it answered) twice with the same Message-ID.
  std::map<std::string, int> per_id;
  std::set<std::string> addresses;
  for (const auto& m : first) {
    ++per_id[StructText(m, "message_id")];
    addresses.insert(RecipientOf(m));
  }
  for (const auto& m : back.Messages()) {
    ++per_id[StructText(m, "message_id")];
    addresses.insert(RecipientOf(m));
  }
  EXPECT_EQ(addresses.size(), 12u);
  EXPECT_EQ(per_id.size(), 12u);
  int twice = 0;
  for (const auto& [id, n] : per_id) {
    EXPECT_LE(n, 2) << id;
    twice += n == 2;
  }
  EXPECT_LE(twice, 1);
}

TEST(AccountsE2eTest,
     KilledMidDeliveryEveryEmailArrivesNoneTwiceOutsideTheWindow) {
  TempDir dir;
  TempDir mail;
  // Each message is kept and then answered 0.5 s later: the server is killed
  // while one is handed over and not yet answered ("sending").
  SmtpSink sink(mail.path(), {"--reply-delay", "0.5"});
  Hub hub(dir, sink.port());
  ASSERT_TRUE(hub.up());
  std::string csv = kHeader;
  std::vector<std::string> ticked;
  constexpr int kEmails = 10;
  for (int i = 0; i < kEmails; ++i) {
    absl::StrAppend(&csv, "m-", i, ",,Kid", i, ",Crane,2012-02-", 10 + i,
                    ",8,8A,kid", i, "@example.org\n");
    ticked.push_back(absl::StrCat("m-", i));
  }
  hub.SyncAndSave(dir, csv, ticked);
  ASSERT_TRUE(sink.WaitForMessages(3));
  EXPECT_EQ(hub.child().Stop(SIGKILL), -SIGKILL);
  // As the kill left it: one handed over but unanswered, the rest queued.
  RunResult states =
      testing::Run({"/usr/bin/sqlite3", hub.db(),
                    "SELECT status, count(*) FROM email_outbox GROUP "
                    "BY status ORDER BY status"});
  ASSERT_EQ(states.exit_code, 0) << states.err;
  EXPECT_THAT(states.out, HasSubstr("sending|1"));
  EXPECT_THAT(states.out, HasSubstr("queued|"));

  hub.Start();
  ASSERT_TRUE(sink.WaitForMessages(kEmails + 1));
  bool all_sent = false;
  for (int tries = 0; tries < 300 && !all_sent; ++tries) {
    all_sent = true;
    for (const auto& e : hub.Emails()) all_sent &= e.status() == "sent";
    if (!all_sent) usleep(100000);
  }
  ASSERT_TRUE(all_sent);
  // Every email arrived; the one in the window twice, with the same
  // Message-ID and the same bytes (so a relay can drop the second), and no
  // other twice.
  std::map<std::string, std::vector<std::string>> by_id;
  for (const auto& m : sink.Messages())
    by_id[StructText(m, "message_id")].push_back(TokenOf(m));
  EXPECT_EQ(by_id.size(), static_cast<size_t>(kEmails));
  int twice = 0;
  for (const auto& [id, tokens] : by_id) {
    if (tokens.size() == 2) {
      ++twice;
      EXPECT_EQ(tokens[0], tokens[1]) << id;
    } else {
      EXPECT_EQ(tokens.size(), 1u) << id;
    }
  }
  EXPECT_EQ(twice, 1);
}

}  // namespace
}  // namespace hubsync::testing
