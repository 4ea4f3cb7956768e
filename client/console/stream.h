// Rows streamed on a worker thread, so the screen shows the first batch at
// once and stays responsive while the server is still classifying. The UI
// thread takes what has arrived on each turn of its loop.
#ifndef HUBSYNC_CLIENT_CONSOLE_STREAM_H_
#define HUBSYNC_CLIENT_CONSOLE_STREAM_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "client/lib/client.h"

namespace hubsync::console {

class RowStream {
 public:
  explicit RowStream(client::HubsyncClient& client) : client_(client) {}
  ~RowStream();  // stops every stream and waits for its thread
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  // Streams every row of the session from the start. A stream started
  // before is told to stop, and whatever it still delivers is dropped.
  void Start(const std::string& session_id);
  // The batches of the current stream received since the last call; `ended`
  // gets the stream's final status once it has finished.
  std::vector<v1::RowBatch> Take(std::optional<absl::Status>* ended);

 private:
  struct Worker {
    std::thread thread;
    std::atomic<bool> stop{false};
  };

  client::HubsyncClient& client_;
  std::mutex mu_;
  uint64_t generation_ = 0;                       // guarded by mu_
  std::deque<v1::RowBatch> pending_;              // guarded by mu_
  std::optional<absl::Status> ended_;             // guarded by mu_
  std::vector<std::unique_ptr<Worker>> workers_;  // UI thread only
};

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_STREAM_H_
