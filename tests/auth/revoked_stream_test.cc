// Revoking a key ends the streams it has open (docs/SECURITY.md, "Revoking
// a key"): a WatchSession and a StreamRows opened before the revocation get
// no further message and end UNAUTHENTICATED saying the key was revoked.
// Real streams on a real server.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/auth/every_rpc.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Lt;

std::string KeyIdOf(const std::string& key) {
  return "key_" + key.substr(4, 16);
}

void Revoke(TestServer& server, const std::string& key) {
  v1::RevokeApiKeyRequest revoke;
  revoke.set_key_id(KeyIdOf(key));
  v1::ApiKey revoked;
  grpc::Status s = server.keys().RevokeApiKey(Ctx().get(), revoke, &revoked);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

v1::EditResponse SetImport(TestServer& server, const SchoolIds& ids, bool on) {
  v1::SetImportRequest r;
  r.set_session_id(ids.session);
  r.set_mis_id(ids.mis_id);
  r.set_import(on);
  v1::EditResponse out;
  grpc::Status s = server.sync().SetImport(Ctx().get(), r, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

TEST(RevokedStreamTest, RevokingAKeyEndsItsWatchSession) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Watched Academy");
  const std::string watcher =
      server.NewKey(ids.school, Role::kViewer, "dashboard");
  KeyedApi api(server.RawChannel(), watcher);
  v1::WatchSessionRequest req;
  req.set_session_id(ids.session);
  req.set_after_version(GetSession(server, ids.session).version());
  auto ctx = api.Context(30);
  auto reader = api.sync_->WatchSession(ctx.get(), req);

  // The watch works: an edit by the school's admin arrives, rows and all.
  SetImport(server, ids, true);
  v1::SessionEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.verb(), "SetImport");
  ASSERT_GT(event.changed_rows_size(), 0);

  Revoke(server, watcher);
  // The next edit, with its pupil's name and birth date, is not sent.
  SetImport(server, ids, false);
  bool more = reader->Read(&event);
  EXPECT_FALSE(more) << "a revoked key still receives: "
                     << event.ShortDebugString();
  if (more) ctx->TryCancel();
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr(KeyIdOf(watcher)));
  EXPECT_THAT(s.error_message(), HasSubstr("revoked"));
}

TEST(RevokedStreamTest, RevokingAKeyEndsAnIdleWatchSessionWithoutAnEdit) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Idle Watch Academy");
  const std::string watcher =
      server.NewKey(ids.school, Role::kViewer, "dashboard");
  KeyedApi api(server.RawChannel(), watcher);
  v1::WatchSessionRequest req;
  req.set_session_id(ids.session);
  req.set_after_version(GetSession(server, ids.session).version());
  auto ctx = api.Context(10);
  auto reader = api.sync_->WatchSession(ctx.get(), req);
  SetImport(server, ids, true);  // the stream is open and has been served
  v1::SessionEvent event;
  ASSERT_TRUE(reader->Read(&event));

  Revoke(server, watcher);
  // Nothing more happens on the session, yet the stream ends (well before
  // the 10 s deadline, which would be DEADLINE_EXCEEDED).
  EXPECT_FALSE(reader->Read(&event));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("revoked"));
}

TEST(RevokedStreamTest, RevokingAKeyEndsItsStreamRows) {
  TestServer server;
  const std::string school = CreateSchool(server, "Streamed Academy");
  // Enough rows, one per message, that the server is still sending when the
  // client stops reading to revoke (it waits for the client to read).
  constexpr int kLearners = 3000;
  std::vector<v1::MisLearnerRecord> records;
  for (int i = 0; i < kLearners; ++i) {
    records.push_back(
        MisRecord(absl::StrCat("mis-", 10000 + i),
                  {absl::StrCat("Forename", i), absl::StrCat("Surname", i),
                   "2013-01-01", "", "7", "", ""}));
  }
  Push(server, school, {}, records);
  const std::string session =
      ToSyncScreen(server, school, AllStudents(), false, nullptr);
  const std::string reader_key =
      server.NewKey(school, Role::kViewer, "exporter");
  KeyedApi api(server.RawChannel(), reader_key);
  v1::StreamRowsRequest req;
  req.set_session_id(session);
  req.set_batch_size(1);
  auto ctx = api.Context(60);
  auto reader = api.sync_->StreamRows(ctx.get(), req);
  v1::RowBatch batch;
  ASSERT_TRUE(reader->Read(&batch));
  ASSERT_EQ(batch.rows_size(), 1);

  Revoke(server, reader_key);
  int rows = 1;
  bool done = false;
  while (reader->Read(&batch)) {
    rows += batch.rows_size();
    done = batch.done();
  }
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("revoked"));
  EXPECT_FALSE(done);
  // What was already on its way may arrive; the rest is never sent.
  EXPECT_THAT(rows, Lt(kLearners));
}

}  // namespace
}  // namespace hubsync::testing
