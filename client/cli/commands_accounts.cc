// Learner account commands (docs/ACCOUNTS.md): the verification emails'
// outbox and resends, the school's product subscriptions and grants, and a
// learner's redeem and login for testing a partner product's side.
#include <termios.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/commands.h"

namespace hubsync::cli {
namespace {

FlagSpec PasswordStdinFlag() {
  return {.name = "password-stdin",
          .help =
              "read the password from the first line of stdin (for "
              "scripts; never give it as an argument)"};
}

// The password: the first line of stdin with --password-stdin; else asked
// for on the terminal without echo. nullopt (and a message) when neither.
std::optional<std::string> ReadPassword(const Parsed& p, Io& io,
                                        const char* prompt) {
  std::string line;
  if (p.Has("password-stdin")) {
    if (io.data == nullptr || !std::getline(*io.data, line)) {
      Usage(p, "--password-stdin: stdin holds no line", io);
      return std::nullopt;
    }
  } else if (io.in != nullptr) {
    io.err << prompt;
    io.err.flush();
    termios old;
    const bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    const bool got = static_cast<bool>(std::getline(*io.in, line));
    if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old);
    io.err << "\n";
    if (!got) return std::nullopt;
  } else {
    Usage(p,
          "no terminal to ask the password on: give it on stdin with "
          "--password-stdin",
          io);
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int EmailsList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListVerificationEmailsRequest req;
  req.set_school_id(p.Get("school"));
  req.set_learner_id(p.Get("learner"));
  req.set_status(p.Get("status"));
  return ShowPages(
      req,
      [&](const v1::ListVerificationEmailsRequest& r) {
        return c.ListVerificationEmails(r);
      },
      p, io, [](const auto& r) -> const auto& { return r.emails(); },
      [&](const v1::ListVerificationEmailsResponse& r, bool first) {
        PrintEmails(r, io.out, first);
      });
}

int EmailsResend(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ResendVerificationEmailsRequest req;
  req.set_school_id(p.Get("school"));
  for (const std::string& id : p.positionals) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(id, &n) || n <= 0) {
      return Usage(p, absl::StrCat("EMAIL_ID must be a number, not ", id), io);
    }
    req.add_email_ids(n);
  }
  if (req.email_ids_size() == 0 && !p.Has("failed")) {
    return Usage(
        p, "name the emails to resend, or --failed for every failed one", io);
  }
  return ShowList(
      c.ResendVerificationEmails(req), p, io,
      [](const auto& r) -> const auto& { return r.emails(); },
      [&](const v1::ResendVerificationEmailsResponse& r) {
        io.out << "queued again: " << r.emails_size() << " email(s)\n";
        v1::ListVerificationEmailsResponse list;
        *list.mutable_emails() = r.emails();
        if (r.emails_size() > 0) PrintEmails(list, io.out, true);
      });
}

void PrintProducts(const v1::ListSubscriptionsResponse& r, std::ostream& os) {
  if (r.products().empty()) {
    os << "no product subscriptions\n";
    return;
  }
  for (const std::string& product : r.products()) os << product << "\n";
}

int ProductList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListSubscriptionsRequest req;
  req.set_school_id(p.Get("school"));
  return Show(c.ListSubscriptions(req), p, io,
              [&](const auto& r) { PrintProducts(r, io.out); });
}

int Subscribe(const Parsed& p, client::HubsyncClient& c, Io& io,
              bool subscribed) {
  v1::SetSubscriptionRequest req;
  req.set_school_id(p.Get("school"));
  req.set_product(p.positionals[0]);
  req.set_subscribed(subscribed);
  return Show(c.SetSubscription(req), p, io,
              [&](const auto& r) { PrintProducts(r, io.out); });
}

int ProductSubscribe(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Subscribe(p, c, io, true);
}

int ProductUnsubscribe(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Subscribe(p, c, io, false);
}

void PrintGrants(const v1::ListGrantsResponse& r, std::ostream& os,
                 bool header) {
  Table t({"PRODUCT", "TO", "ID", "SINCE"});
  for (const v1::ProductGrant& g : r.grants()) {
    const bool learner = !g.learner_id().empty();
    t.Add({g.product(), learner ? "learner" : "class",
           learner ? g.learner_id() : g.class_id(),
           TimeLabel(g.create_time())});
  }
  t.Print(os, header);
}

int GrantList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListGrantsRequest req;
  req.set_school_id(p.Get("school"));
  return ShowPages(
      req, [&](const v1::ListGrantsRequest& r) { return c.ListGrants(r); }, p,
      io, [](const auto& r) -> const auto& { return r.grants(); },
      [&](const v1::ListGrantsResponse& r, bool first) {
        PrintGrants(r, io.out, first);
      });
}

int SetGrant(const Parsed& p, client::HubsyncClient& c, Io& io, bool granted) {
  if (p.Has("learner") == p.Has("class")) {
    return Usage(p, "give exactly one of --learner and --class", io);
  }
  v1::SetGrantRequest req;
  req.set_school_id(p.Get("school"));
  req.mutable_grant()->set_product(p.Get("product"));
  req.mutable_grant()->set_learner_id(p.Get("learner"));
  req.mutable_grant()->set_class_id(p.Get("class"));
  req.set_granted(granted);
  return Show(c.SetGrant(req), p, io, [&](const v1::ProductGrant& g) {
    const bool learner = !g.learner_id().empty();
    io.out << (granted ? "granted " : "revoked ") << g.product()
           << (granted ? " to " : " from ") << (learner ? "learner " : "class ")
           << (learner ? g.learner_id() : g.class_id()) << "\n";
  });
}

int GrantAdd(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return SetGrant(p, c, io, true);
}

int GrantRemove(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return SetGrant(p, c, io, false);
}

int AccountRedeem(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::RedeemVerificationRequest req;
  req.set_token(p.Get("token"));
  req.set_address(p.Get("address"));
  req.set_code(p.Get("code"));
  if (req.token().empty() == req.code().empty()) {
    return Usage(p, "give --token, or --address and --code", io);
  }
  std::optional<std::string> password =
      ReadPassword(p, io, "New password (10 characters or more): ");
  if (!password) return kExitUsage;
  req.set_new_password(*password);
  return Show(c.RedeemVerification(req), p, io, [&](const auto& r) {
    io.out << "verified " << r.address() << " for learner " << r.learner_id()
           << " (" << r.school_id() << "); the password is set\n";
  });
}

int AccountLogin(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::LoginRequest req;
  req.set_address(p.Get("address"));
  req.set_product(p.Get("product"));
  std::optional<std::string> password = ReadPassword(p, io, "Password: ");
  if (!password) return kExitUsage;
  req.set_password(*password);
  return Show(c.Login(req), p, io, [&](const auto& r) {
    io.out << "logged in to " << r.product() << " as learner " << r.learner_id()
           << " (" << r.school_id() << ")\n";
  });
}

}  // namespace

std::vector<Command> AccountCommands() {
  const std::string products = "boost-learning or hodder-magazines";
  return {
      {{.path = "emails list",
        .flags = {SchoolFlag(),
                  StringFlag("learner", "LEARNER_ID", "only this learner's"),
                  StringFlag("status", "STATUS",
                             "only queued, sending, sent, failed or "
                             "withdrawn emails")},
        .summary =
            "List the verification emails saves queued: status, attempts,\n"
            "when sent (or when the next try is due) and the relay's last "
            "error.",
        .example = "hubsync emails list --school sch_... --status failed"},
       EmailsList},
      {{.path = "emails resend",
        .rest = "EMAIL_ID",
        .flags = {SchoolFlag(),
                  {.name = "failed",
                   .help = "every failed email of the school"}},
        .summary =
            "Queue emails again (failed ones; a sent one when named, if it "
            "was lost).\nEach carries a new link and code; the old ones stop "
            "working.",
        .example = "hubsync emails resend --school sch_... --failed"},
       EmailsResend},
      {{.path = "product list",
        .flags = {SchoolFlag()},
        .summary = "List the partner products the school subscribes to.",
        .example = "hubsync product list --school sch_..."},
       ProductList},
      {{.path = "product subscribe",
        .positionals = {"PRODUCT"},
        .flags = {SchoolFlag()},
        .summary =
            "Subscribe the school to a partner product (" + products + ").",
        .example = "hubsync product subscribe boost-learning --school sch_..."},
       ProductSubscribe},
      {{.path = "product unsubscribe",
        .positionals = {"PRODUCT"},
        .flags = {SchoolFlag()},
        .summary = "End the school's subscription to a product: its "
                   "learners can no longer log in to it.",
        .example =
            "hubsync product unsubscribe hodder-magazines --school sch_..."},
       ProductUnsubscribe},
      {{.path = "grant list",
        .flags = {SchoolFlag()},
        .summary = "List who in the school is granted which product.",
        .example = "hubsync grant list --school sch_..."},
       GrantList},
      {{.path = "grant add",
        .flags = {SchoolFlag(),
                  StringFlag("product", "PRODUCT", products, true),
                  StringFlag("learner", "LEARNER_ID", "one learner"),
                  StringFlag("class", "CLASS_ID", "every member of a class")},
        .summary = "Grant a product to a learner or to a class's members.",
        .example = "hubsync grant add --product boost-learning --class "
                   "cls_..."},
       GrantAdd},
      {{.path = "grant remove",
        .flags = {SchoolFlag(),
                  StringFlag("product", "PRODUCT", products, true),
                  StringFlag("learner", "LEARNER_ID", "one learner"),
                  StringFlag("class", "CLASS_ID", "a class")},
        .summary = "Revoke a grant.",
        .example = "hubsync grant remove --product boost-learning --learner "
                   "lrn_..."},
       GrantRemove},
      {{.path = "account redeem",
        .flags = {StringFlag("token", "TOKEN", "the token from the link"),
                  StringFlag("address", "EMAIL", "the address, with --code"),
                  StringFlag("code", "CODE", "the code from the email"),
                  PasswordStdinFlag()},
        .summary =
            "As a learner would on a product's page: verify the address with "
            "the\nemail's link or code and set a password (asked for, or "
            "--password-stdin).\nNeeds a product key.",
        .example = "hubsync account redeem --address zoe@example.org --code "
                   "ABCD-EFGH"},
       AccountRedeem},
      {{.path = "account login",
        .flags = {StringFlag("address", "EMAIL", "the learner's address", true),
                  StringFlag("product", "PRODUCT", products, true),
                  PasswordStdinFlag()},
        .summary = "As a product would: log a learner in (the password "
                   "asked for, or --password-stdin).\nNeeds a product key.",
        .example = "hubsync account login --address zoe@example.org --product "
                   "boost-learning"},
       AccountLogin},
  };
}

}  // namespace hubsync::cli
