// The JSON API (/api/v1 of pitrd's HTTP side) against the real pitrd:
// every method reachable with its errors mapped, the resource paths of a
// day's work (branches, pages, snapshots, restore and undo, retention,
// schedules, GC), streams as NDJSON, a dump downloaded and uploaded again,
// and the tokens and roles of the gRPC side.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "proto/branch_service.pb.h"
#include "proto/wal_service.pb.h"
#include "tests/e2e/http_client.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

constexpr const char* kAdminToken = kTestAdminToken;
constexpr const char* kReadToken = kTestReadToken;

class JsonApiTest : public PitrdFixture {
 protected:
  void SetUp() override {
    StartPitrd({"--token_file=" + WriteTestTokens(),
                "--http_listen=127.0.0.1:0", "--gc_period=inf"});
    port_ = pitrd_->http_port();
    ASSERT_NE(port_, 0) << pitrd_->Log();
  }

  HttpReply Send(const std::string& method, const std::string& path,
                 const std::string& body = "",
                 const std::string& token = kAdminToken) {
    HttpRequest request;
    request.method = method;
    request.url = absl::StrCat("http://127.0.0.1:", port_, "/api/v1", path);
    request.body = body;
    request.token = token;
    return SendHttp(request);
  }

  // POSTs `body` to /api/v1/rpc/<rpc> and parses the reply into `out`.
  template <typename Message>
  void Rpc(const std::string& rpc, const std::string& body, Message* out) {
    HttpReply reply = Send("POST", "/rpc/" + rpc, body);
    ASSERT_EQ(reply.status, 200) << rpc << ": " << reply.body;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(reply.body, out).ok())
        << reply.body;
  }

  // Appends an 8 KiB page marked `marker` to page `page` of space 1 of
  // `branch`; the commit LSN.
  std::string Write(const std::string& branch, int page,
                    const std::string& marker) {
    const std::string data = absl::Base64Escape(MarkedPage(8192, marker));
    v1::AppendResponse response;
    Rpc("WalService/Append",
        absl::StrCat("{\"branch\": \"", branch,
                     "\", \"records\": [{\"image\": {\"key\": {\"space\": 1, "
                     "\"page\": ",
                     page, "}, \"data\": \"", data, "\"}}]}"),
        &response);
    return absl::StrCat(response.commit_lsn());
  }

  // The page as JSON's base64, read through the resource path.
  std::string Page(const std::string& branch, int page,
                   const std::string& query = "") {
    HttpReply reply = Send(
        "GET", absl::StrCat("/branches/", branch, "/pages/1/", page, query));
    if (reply.status != 200) return absl::StrCat("HTTP ", reply.status);
    v1::Page parsed;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(reply.body, &parsed).ok());
    return parsed.data();
  }

  int port_ = 0;
};

TEST_F(JsonApiTest, EveryMethodIsReachableAndErrorsAreMapped) {
  // Each method with an empty request: an answer or the error gRPC gives,
  // never "no such method". The bidirectional streams are for gRPC only;
  // Follow streams a primary's changes for as long as the caller stays.
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  int methods = 0;
  for (const char* name :
       {"BackupService", "BranchService", "DumpService", "PageService",
        "ReplicationService", "RetentionService", "SnapshotService",
        "WalService"}) {
    const google::protobuf::ServiceDescriptor* service =
        pool->FindServiceByName(absl::StrCat("pitr.v1.", name));
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (method->name() == "Follow") continue;
      ++methods;
      HttpReply reply =
          Send("POST", absl::StrCat("/rpc/", name, "/", method->name()), "{}");
      SCOPED_TRACE(method->full_name() + ": " + reply.body);
      if (method->client_streaming() && method->server_streaming()) {
        EXPECT_EQ(reply.status, 501);
        continue;
      }
      ASSERT_NE(reply.status, 0);
      EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("no method")));
      if (reply.status != 200) {
        // The body names the gRPC code the status maps.
        EXPECT_THAT(reply.body, HasSubstr("\"codeName\""));
        EXPECT_THAT(reply.content_type, HasSubstr("application/json"));
      }
    }
  }
  EXPECT_GE(methods, 40);
  EXPECT_EQ(Send("POST", "/rpc/BranchService/NoSuchMethod").status, 404);
  EXPECT_EQ(Send("GET", "/rpc/BranchService/ListBranches").status, 501);
  EXPECT_EQ(Send("GET", "/nothing/here").status, 404);
  HttpReply bad_json = Send("POST", "/branches", "{\"name\": ");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_THAT(bad_json.body, HasSubstr("pitr.v1.CreateBranchRequest"));
  HttpReply bad_param = Send("GET", "/branches?page_size=many");
  EXPECT_EQ(bad_param.status, 400);
  EXPECT_THAT(bad_param.body, HasSubstr("page_size"));
  HttpReply unknown_param = Send("GET", "/branches?colour=red");
  EXPECT_EQ(unknown_param.status, 400);
  EXPECT_THAT(unknown_param.body, HasSubstr("colour"));
}

TEST_F(JsonApiTest, ADayOfWorkThroughResourcePaths) {
  const std::string first = Write("main", 0, "one");
  // Branches.
  HttpReply created = Send("POST", "/branches", "{\"name\": \"dev\"}");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_THAT(Send("GET", "/branches").body, HasSubstr("\"name\":\"dev\""));
  EXPECT_THAT(Send("GET", "/branches/dev").body,
              HasSubstr("\"parent\":\"main\""));
  EXPECT_EQ(Send("GET", "/branches/nope").status, 404);
  Write("dev", 0, "dev");
  EXPECT_EQ(Page("dev", 0), MarkedPage(8192, "dev"));
  EXPECT_EQ(Page("main", 0), MarkedPage(8192, "one"));
  // A point as a query parameter, an LSN in X/Y form or decimal.
  const std::string second = Write("main", 0, "two");
  EXPECT_EQ(Page("main", 0, "?point.lsn=" + first), MarkedPage(8192, "one"));
  EXPECT_EQ(Page("main", 0), MarkedPage(8192, "two"));

  // Snapshots.
  ASSERT_EQ(
      Send("POST", "/snapshots", "{\"name\": \"before\", \"branch\": \"main\"}")
          .status,
      200);
  EXPECT_THAT(Send("GET", "/snapshots").body, HasSubstr("\"before\""));
  EXPECT_THAT(Send("GET", "/snapshots/before").body,
              HasSubstr("\"lsn\":\"" + second + "\""));
  Write("main", 0, "three");

  // Restore to the snapshot, then undo from the backup it reports.
  HttpReply restored = Send("POST", "/branches/main/restore",
                            "{\"point\": {\"snapshot\": \"before\"}}");
  ASSERT_EQ(restored.status, 200) << restored.body;
  v1::RestoreBranchResponse restore;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(restored.body, &restore)
          .ok());
  EXPECT_EQ(Page("main", 0), MarkedPage(8192, "two"));
  HttpReply undone = Send(
      "POST", "/branches/main/restore",
      absl::StrCat("{\"source\": \"", restore.backup().name(),
                   "\", \"point\": {\"lsn\": \"",
                   restore.backup().history_bounds().latest_lsn(), "\"}}"));
  ASSERT_EQ(undone.status, 200) << undone.body;
  EXPECT_EQ(Page("main", 0), MarkedPage(8192, "three"));

  // Retention, schedules, bounds, GC.
  ASSERT_EQ(Send("POST", "/branches/dev/retention",
                 "{\"retention\": {\"window\": \"3600s\"}}")
                .status,
            200);
  EXPECT_THAT(Send("GET", "/branches/dev/retention").body,
              HasSubstr("\"3600s\""));
  EXPECT_THAT(Send("GET", "/branches/main/bounds").body,
              HasSubstr("\"latestLsn\""));
  ASSERT_EQ(Send("POST", "/schedules",
                 "{\"schedule\": {\"name\": \"hourly\", \"branch\": \"main\", "
                 "\"every\": \"3600s\", \"keepLast\": 24}}")
                .status,
            200);
  EXPECT_THAT(Send("GET", "/schedules").body, HasSubstr("\"hourly\""));
  EXPECT_EQ(Send("DELETE", "/schedules/hourly").status, 200);
  EXPECT_THAT(Send("POST", "/gc", "{}").body,
              HasSubstr("\"versionsExamined\""));

  // Deletes.
  EXPECT_EQ(Send("DELETE", "/snapshots/before").status, 200);
  EXPECT_EQ(Send("DELETE", "/branches/dev").status, 200);
  EXPECT_EQ(Send("GET", "/branches/dev").status, 404);
}

TEST_F(JsonApiTest, ClientStreamsTakeOneMessageALine) {
  const std::string data = absl::Base64Escape(MarkedPage(8192, "s"));
  std::string body;
  for (int page = 0; page < 3; ++page) {
    body += absl::StrCat(
        "{\"branch\": \"main\", \"records\": [{\"image\": {\"key\": "
        "{\"space\": 1, \"page\": ",
        page, "}, \"data\": \"", data, "\"}}]}\n");
  }
  HttpReply reply = Send("POST", "/rpc/WalService/AppendStream", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  v1::AppendStreamResponse response;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(reply.body, &response).ok());
  EXPECT_EQ(response.batches(), 3u);
  EXPECT_EQ(Page("main", 2), MarkedPage(8192, "s"));
  // A line that is not the message refuses the stream, naming the type.
  HttpReply bad =
      Send("POST", "/rpc/WalService/AppendStream", body + "{\"nope\": 1}\n");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("pitr.v1.AppendRequest"));
}

TEST_F(JsonApiTest, ServerStreamsAreNdjson) {
  Write("main", 0, "a");
  Write("main", 1, "b");
  HttpReply wal = Send("POST", "/rpc/WalService/ReadWal", "{}");
  ASSERT_EQ(wal.status, 200) << wal.body;
  EXPECT_THAT(wal.content_type, HasSubstr("application/x-ndjson"));
  std::vector<std::string> lines =
      absl::StrSplit(wal.body, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << wal.body;
  for (const std::string& line : lines) {
    v1::WalBatch batch;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(line, &batch).ok())
        << line;
    EXPECT_EQ(batch.records_size(), 1);
  }
  HttpReply diff = Send("GET", "/diff?to_point.lsn=0");
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_THAT(diff.body, HasSubstr("\"REMOVED\""));
  // An error before the first message is the response's status.
  EXPECT_EQ(Send("POST", "/rpc/WalService/ReadWal",
                 "{\"startLsn\": \"10\", \"endLsn\": \"5\"}")
                .status,
            400);
}

TEST_F(JsonApiTest, DumpDownloadedAndUploadedIsTheSameBranch) {
  Write("main", 0, "x");
  Write("main", 3, "y");
  HttpReply dump = Send("GET", "/branches/main/export");
  ASSERT_EQ(dump.status, 200) << dump.body;
  EXPECT_EQ(dump.content_type, "application/octet-stream");
  EXPECT_EQ(dump.body.substr(0, 8), "pitrdmp2");
  HttpReply imported = Send("POST", "/branches/copy/import", dump.body);
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(Page("copy", 0), MarkedPage(8192, "x"));
  EXPECT_EQ(Page("copy", 3), MarkedPage(8192, "y"));
  // A damaged dump changes nothing (DATA_LOSS, as over gRPC).
  std::string damaged = dump.body;
  damaged[damaged.size() / 2] ^= 1;
  HttpReply refused = Send("POST", "/branches/broken/import", damaged);
  EXPECT_EQ(refused.status, 500);
  EXPECT_THAT(refused.body, HasSubstr("\"DATA_LOSS\""));
  EXPECT_EQ(Send("GET", "/branches/broken").status, 404);
  EXPECT_EQ(Send("GET", "/branches/nope/export").status, 404);
}

TEST_F(JsonApiTest, TokensAndRolesAsOnGrpc) {
  EXPECT_EQ(Send("GET", "/branches", "", "").status, 401);
  EXPECT_EQ(Send("GET", "/branches", "", "wrong-token-0123456789").status, 401);
  EXPECT_EQ(Send("GET", "/branches", "", kReadToken).status, 200);
  HttpReply refused =
      Send("POST", "/branches", "{\"name\": \"dev\"}", kReadToken);
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Send("GET", "/branches/dev").status, 404) << "nothing changed";
  EXPECT_EQ(Send("POST", "/branches", "{\"name\": \"dev\"}").status, 200);
}

}  // namespace
}  // namespace pitr::e2e
