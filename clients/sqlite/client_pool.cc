#include "clients/sqlite/client_pool.h"

#include <map>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/status_macros.h"

namespace pitr::sqlite {
namespace {

using Key = std::tuple<std::string, std::string, std::string>;

struct Pool {
  absl::Mutex mu;
  std::map<Key, std::shared_ptr<clients::Client>> clients ABSL_GUARDED_BY(mu);
};

Pool& ThePool() {
  static Pool* pool = new Pool;
  return *pool;
}

}  // namespace

absl::StatusOr<std::shared_ptr<clients::Client>> SharedClient(
    const OpenOptions& options) {
  clients::ClientOptions client_options;
  client_options.server = options.server;
  client_options.ca_cert_path = options.tls_ca;
  if (!options.token_file.empty()) {
    PITR_ASSIGN_OR_RETURN(client_options.token,
                          clients::ReadTokenFile(options.token_file));
  }
  const Key key{client_options.server, client_options.token,
                client_options.ca_cert_path};
  Pool& pool = ThePool();
  absl::MutexLock lock(&pool.mu);
  std::shared_ptr<clients::Client>& client = pool.clients[key];
  if (client == nullptr) {
    PITR_ASSIGN_OR_RETURN(std::unique_ptr<clients::Client> made,
                          clients::Client::Connect(client_options));
    client = std::move(made);
  }
  return client;
}

}  // namespace pitr::sqlite
