// tests/testing/smtp_sink.py as a child process: a real SMTP listener on
// loopback keeping every message it accepts in a directory.
#ifndef HUBSYNC_TESTS_TESTING_SMTP_SINK_H_
#define HUBSYNC_TESTS_TESTING_SMTP_SINK_H_

#include <string>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {

class SmtpSink {
 public:
  // Listens on `port` (0: any free one), keeping messages in `dir` (which
  // must exist and may hold an earlier sink's: numbering goes on from
  // them only if the caller passes a fresh --dir); `flags` are the
  // script's (--reply-delay 0.5, --tempfail-first 2, ...).
  explicit SmtpSink(const std::string& dir,
                    const std::vector<std::string>& flags = {}, int port = 0);
  int port() const { return port_; }
  Child& child() { return child_; }
  // The messages accepted so far (their .json files, in order), each as
  // the script's record: mail_from, rcpt_tos, message_id, subject, to,
  // parts [{content_type, content}], defects ...
  std::vector<google::protobuf::Struct> Messages() const;
  // Waits until at least `n` messages are in; false after timeout_s.
  bool WaitForMessages(size_t n, int timeout_s = 60) const;

 private:
  std::string dir_;
  Child child_;
  int port_ = 0;
};

// A record's string field ("" when absent).
std::string StructText(const google::protobuf::Struct& s,
                       const std::string& field);

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_SMTP_SINK_H_
