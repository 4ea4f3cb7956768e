// API key commands (docs/SECURITY.md): key create / list / revoke.
#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"

namespace hubsync::cli {
namespace {

const char* RoleLabel(v1::Role role) {
  switch (role) {
    case v1::ROLE_OPERATOR:
      return "operator";
    case v1::ROLE_ADMIN:
      return "admin";
    case v1::ROLE_SERVICE:
      return "service";
    case v1::ROLE_VIEWER:
      return "viewer";
    case v1::ROLE_PRODUCT:
      return "product";
    default:
      return "?";
  }
}

int KeyCreate(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::CreateApiKeyRequest req;
  const std::string role = p.Get("role");
  if (role == "operator")
    req.set_role(v1::ROLE_OPERATOR);
  else if (role == "admin")
    req.set_role(v1::ROLE_ADMIN);
  else if (role == "service")
    req.set_role(v1::ROLE_SERVICE);
  else if (role == "viewer")
    req.set_role(v1::ROLE_VIEWER);
  else if (role == "product")
    req.set_role(v1::ROLE_PRODUCT);
  else
    return Usage(
        p, "--role must be operator, admin, service, viewer or product", io);
  req.set_school_id(p.Get("school"));
  req.set_label(p.Get("label"));
  absl::StatusOr<v1::CreateApiKeyResponse> created = c.CreateApiKey(req);
  if (!created.ok()) return Fail(created.status(), io);
  if (p.globals.json) {
    io.out << JsonLine(*created) << "\n";
    return kExitOk;
  }
  // The key alone on stdout (KEY=$(hubsync key create ...)); the rest on
  // stderr.
  io.err << "created " << RoleLabel(created->key().role()) << " key "
         << created->key().key_id();
  if (!created->key().school_id().empty()) {
    io.err << " for school " << created->key().school_id();
  }
  io.err << "; it is shown once, below: keep it secret\n";
  io.out << created->secret() << "\n";
  return kExitOk;
}

int KeyList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListApiKeysRequest req;
  req.set_school_id(p.Get("school"));
  size_t total = 0;
  const int code = ShowPages(
      req, [&](const v1::ListApiKeysRequest& r) { return c.ListApiKeys(r); }, p,
      io, [](const auto& r) -> const auto& { return r.keys(); },
      [&](const v1::ListApiKeysResponse& r, bool first) {
        Table t({"KEY", "SCHOOL", "ROLE", "LABEL", "CREATED", "CREATED BY",
                 "REVOKED"});
        for (const v1::ApiKey& k : r.keys()) {
          t.Add({k.key_id(), k.school_id().empty() ? "-" : k.school_id(),
                 RoleLabel(k.role()), k.label(), TimeLabel(k.create_time()),
                 k.created_by().empty() ? "hubsyncd" : k.created_by(),
                 k.has_revoke_time() ? TimeLabel(k.revoke_time()) : "-"});
        }
        t.Print(io.out, first);
        total += static_cast<size_t>(r.keys_size());
      });
  if (code == kExitOk && !p.globals.json) io.out << total << " key(s)\n";
  return code;
}

int KeyRevoke(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.RevokeApiKey(p.positionals[0]), p, io,
              [&](const v1::ApiKey& k) {
                io.out << "revoked key " << k.key_id() << "\n";
              });
}

}  // namespace

std::vector<Command> KeyCommands() {
  return {
      {{.path = "key create",
        .flags = {{.name = "role",
                   .kind = FlagKind::kString,
                   .value = "ROLE",
                   .help = "operator, admin, service or viewer",
                   .required = true},
                  {.name = "school",
                   .kind = FlagKind::kString,
                   .value = "ID",
                   .help = "the key's school (not for operator keys)"},
                  {.name = "label",
                   .kind = FlagKind::kString,
                   .value = "TEXT",
                   .help = "who or what holds the key"}},
        .summary = "Create an API key; prints it once (operator, or a "
                   "school's admin).\n"
                   "The key alone goes to stdout, so KEY=$(hubsync key create "
                   "...) works.",
        .example = "hubsync key create --school sch_... --role admin "
                   "--label 'Ms Admin'"},
       KeyCreate},
      {{.path = "key list",
        .flags = {{.name = "school",
                   .kind = FlagKind::kString,
                   .value = "ID",
                   .help = "one school's keys (default: every key for an "
                           "operator, its own school's for an admin)"}},
        .summary = "List API keys (never their secrets).",
        .example = "hubsync key list --school sch_..."},
       KeyList},
      {{.path = "key revoke",
        .positionals = {"KEY_ID"},
        .summary = "Revoke an API key; calls made with it fail from now on.",
        .example = "hubsync key revoke key_0123456789abcdef"},
       KeyRevoke},
  };
}

}  // namespace hubsync::cli
