#include "server/json_api.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/lsn.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/impl/rpc_method.h"
#include "grpcpp/support/sync_stream.h"
#include "server/http_endpoints.h"

namespace pitr {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

constexpr char kPrefix[] = "/api/v1";
constexpr char kPackage[] = "pitr.v1.";
constexpr char kNdjson[] = "application/x-ndjson";

// A resource path and the method it calls: "{x}" segments fill field x.
struct Route {
  const char* http_method;
  const char* pattern;  // under /api/v1
  const char* rpc;      // Service/Method
};

// The usual calls under resource paths. Everything else (and these too) is
// at /api/v1/rpc/<Service>/<Method>.
constexpr Route kRoutes[] = {
    {"GET", "/store", "PageService/GetStoreInfo"},
    {"GET", "/spaces", "PageService/ListSpaces"},
    {"GET", "/branches", "BranchService/ListBranches"},
    {"POST", "/branches", "BranchService/CreateBranch"},
    {"GET", "/branches/{name}", "BranchService/GetBranch"},
    {"DELETE", "/branches/{name}", "BranchService/DeleteBranch"},
    {"POST", "/branches/{name}/restore", "BranchService/RestoreBranch"},
    {"GET", "/branches/{branch}/bounds", "RetentionService/GetHistoryBounds"},
    {"GET", "/branches/{branch}/retention", "RetentionService/GetRetention"},
    {"POST", "/branches/{branch}/retention",
     "RetentionService/UpdateRetention"},
    {"GET", "/branches/{branch}/pages/{key.space}/{key.page}",
     "PageService/GetPage"},
    {"GET", "/diff", "PageService/DiffPages"},
    {"GET", "/snapshots", "SnapshotService/ListSnapshots"},
    {"POST", "/snapshots", "SnapshotService/CreateSnapshot"},
    {"GET", "/snapshots/{name}", "SnapshotService/GetSnapshot"},
    {"DELETE", "/snapshots/{name}", "SnapshotService/DeleteSnapshot"},
    {"GET", "/schedules", "SnapshotService/ListSchedules"},
    {"POST", "/schedules", "SnapshotService/CreateSchedule"},
    {"DELETE", "/schedules/{name}", "SnapshotService/DeleteSchedule"},
    {"GET", "/retention", "RetentionService/GetDefaultRetention"},
    {"POST", "/gc", "RetentionService/RunGc"},
    {"GET", "/backups", "BackupService/ListBackups"},
    {"GET", "/replication", "ReplicationService/GetReplicationStatus"},
};

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::INVALID_ARGUMENT, message);
}

const MethodDescriptor* FindMethod(const std::string& service,
                                   const std::string& method) {
  const std::string full = absl::StartsWith(service, kPackage)
                               ? service
                               : absl::StrCat(kPackage, service);
  const google::protobuf::ServiceDescriptor* found =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          full);
  return found == nullptr ? nullptr : found->FindMethodByName(method);
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(type)
          ->New());
}

// Sets the field at dotted `path` (proto or JSON names) of `message` from
// the text `value`: numbers (LSNs as X/Y too), true/false, enum names or
// numbers, strings.
grpc::Status SetField(Message* message, const std::string& path,
                      const std::string& value) {
  std::vector<std::string> names = absl::StrSplit(path, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const google::protobuf::Descriptor* type = message->GetDescriptor();
    const FieldDescriptor* field = type->FindFieldByName(names[i]);
    if (field == nullptr) field = type->FindFieldByCamelcaseName(names[i]);
    if (field == nullptr || field->is_repeated()) {
      return Invalid(absl::StrCat("\"", path, "\" is not a field of ",
                                  type->full_name(), " that a parameter sets"));
    }
    const google::protobuf::Reflection* reflection = message->GetReflection();
    if (i + 1 < names.size()) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        return Invalid(
            absl::StrCat("\"", path, "\": ", names[i], " is not a message"));
      }
      message = reflection->MutableMessage(message, field);
      continue;
    }
    const grpc::Status bad =
        Invalid(absl::StrCat("\"", value, "\" is not a value of ", path, " (",
                             field->type_name(), ")"));
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(message, field, value);
        return grpc::Status::OK;
      case FieldDescriptor::CPPTYPE_BOOL:
        if (value != "true" && value != "false" && !value.empty()) return bad;
        reflection->SetBool(message, field, value != "false");
        return grpc::Status::OK;
      case FieldDescriptor::CPPTYPE_INT32: {
        int32_t n;
        if (!absl::SimpleAtoi(value, &n)) return bad;
        reflection->SetInt32(message, field, n);
        return grpc::Status::OK;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t n;
        if (!absl::SimpleAtoi(value, &n)) return bad;
        reflection->SetUInt32(message, field, n);
        return grpc::Status::OK;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t n;
        if (!absl::SimpleAtoi(value, &n)) return bad;
        reflection->SetInt64(message, field, n);
        return grpc::Status::OK;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        absl::StatusOr<Lsn> n = ParseLsn(value);  // decimal or X/Y
        if (!n.ok()) return bad;
        reflection->SetUInt64(message, field, *n);
        return grpc::Status::OK;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const google::protobuf::EnumValueDescriptor* named =
            field->enum_type()->FindValueByName(value);
        int number;
        if (named == nullptr && absl::SimpleAtoi(value, &number)) {
          named = field->enum_type()->FindValueByNumber(number);
        }
        if (named == nullptr) return bad;
        reflection->SetEnum(message, field, named);
        return grpc::Status::OK;
      }
      default:
        return Invalid(absl::StrCat(
            "\"", path, "\" (", field->type_name(),
            ") cannot be set from a parameter: put it in the JSON body"));
    }
  }
  return Invalid("an empty parameter name");
}

std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// The last line of a stream that failed after it began.
std::string ErrorLine(const grpc::Status& status) {
  return absl::StrCat("{\"error\": ", ErrorJson(status), "}\n");
}

// One call, as the handler sees it.
class Call {
 public:
  Call(std::shared_ptr<grpc::Channel> channel, const MethodDescriptor* method,
       HttpExchange* exchange)
      : channel_(std::move(channel)),
        method_(method),
        path_(absl::StrCat("/", method->service()->full_name(), "/",
                           method->name())),
        exchange_(*exchange) {}

  // Fills the request from the JSON body (if any) and then `fields`.
  grpc::Status BuildRequest(
      const std::vector<std::pair<std::string, std::string>>& fields,
      size_t max_body_bytes, Message* request) {
    absl::StatusOr<std::string> body = exchange_.Body(max_body_bytes);
    if (!body.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(body.status().code()),
                          std::string(body.status().message()));
    }
    if (!absl::StripAsciiWhitespace(*body).empty()) {
      const auto parsed =
          google::protobuf::util::JsonStringToMessage(*body, request);
      if (!parsed.ok()) {
        return Invalid(absl::StrCat("the body is not a ",
                                    request->GetDescriptor()->full_name(),
                                    " in JSON: ", parsed.message().ToString()));
      }
    }
    for (const auto& [name, value] : fields) {
      grpc::Status set = SetField(request, name, value);
      if (!set.ok()) return set;
    }
    return grpc::Status::OK;
  }

  std::unique_ptr<grpc::ClientContext> NewContext() const {
    auto context = std::make_unique<grpc::ClientContext>();
    const std::optional<std::string> authorization =
        exchange_.Header("Authorization");
    if (authorization.has_value()) {
      context->AddMetadata("authorization", *authorization);
    }
    return context;
  }

  void Unary(const Message& request) {
    std::unique_ptr<Message> response = NewMessage(method_->output_type());
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    const grpc::internal::RpcMethod rpc(path_.c_str(),
                                        grpc::internal::RpcMethod::NORMAL_RPC);
    const grpc::Status status =
        grpc::internal::BlockingUnaryCall<Message, Message,
                                          google::protobuf::MessageLite,
                                          google::protobuf::MessageLite>(
            channel_.get(), rpc, context.get(), request, response.get());
    if (!status.ok()) return RespondError(exchange_, status);
    exchange_.Respond(200, "application/json", ToJson(*response) + "\n");
  }

  // A server stream: NDJSON, or (`raw_bytes_field`) the concatenation of
  // that bytes field of every message, as a download.
  void ServerStream(std::unique_ptr<Message> request,
                    const std::string& raw_bytes_field = "",
                    const std::string& file_name = "") {
    struct Stream {
      std::shared_ptr<grpc::Channel> channel;
      std::string path;
      std::unique_ptr<Message> request;
      std::unique_ptr<grpc::ClientContext> context;
      std::unique_ptr<grpc::internal::RpcMethod> rpc;
      std::unique_ptr<grpc::ClientReader<Message>> reader;
      std::unique_ptr<Message> first;
    };
    auto stream = std::make_shared<Stream>();
    stream->channel = channel_;
    stream->path = path_;
    stream->request = std::move(request);
    stream->context = NewContext();
    stream->rpc = std::make_unique<grpc::internal::RpcMethod>(
        stream->path.c_str(), grpc::internal::RpcMethod::SERVER_STREAMING);
    stream->reader.reset(
        grpc::internal::ClientReaderFactory<Message>::Create<Message>(
            stream->channel.get(), *stream->rpc, stream->context.get(),
            *stream->request));
    // The first message decides the status: an error before it is the
    // response's.
    stream->first = NewMessage(method_->output_type());
    if (!stream->reader->Read(stream->first.get())) {
      const grpc::Status status = stream->reader->Finish();
      if (!status.ok()) return RespondError(exchange_, status);
      stream->first.reset();
    }
    const google::protobuf::Descriptor* type = method_->output_type();
    const FieldDescriptor* bytes_field =
        raw_bytes_field.empty() ? nullptr
                                : type->FindFieldByName(raw_bytes_field);
    auto render = [bytes_field](const Message& message) {
      return bytes_field == nullptr
                 ? ToJson(message) + "\n"
                 : message.GetReflection()->GetString(message, bytes_field);
    };
    HttpHeaders headers;
    if (!file_name.empty()) {
      headers.emplace_back(
          "Content-Disposition",
          absl::StrCat("attachment; filename=\"", file_name, "\""));
    }
    exchange_.RespondStream(
        200, bytes_field == nullptr ? kNdjson : "application/octet-stream",
        [stream, type, render,
         bytes_field](const HttpExchange::ChunkWriter& write) {
          if (stream->first == nullptr) return;  // an empty stream
          bool writing = write(render(*stream->first));
          std::unique_ptr<Message> next = NewMessage(type);
          while (writing && stream->reader->Read(next.get())) {
            writing = write(render(*next));
          }
          if (!writing) stream->context->TryCancel();
          const grpc::Status status = stream->reader->Finish();
          // A download that fails half way ends short (its reader sees the
          // dump's checksum fail); NDJSON ends with the error.
          if (!status.ok() && writing && bytes_field == nullptr) {
            write(ErrorLine(status));
          }
        },
        headers);
  }

  // A client stream from NDJSON request lines (one message each), or from
  // the raw body (`raw_bytes_field`: each piece in that field, `first`
  // filling the first message's other fields).
  void ClientStream(
      const std::string& raw_bytes_field,
      const std::vector<std::pair<std::string, std::string>>& first_fields) {
    std::unique_ptr<Message> response = NewMessage(method_->output_type());
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    const grpc::internal::RpcMethod rpc(
        path_.c_str(), grpc::internal::RpcMethod::CLIENT_STREAMING);
    std::unique_ptr<grpc::ClientWriter<Message>> writer(
        grpc::internal::ClientWriterFactory<Message>::Create<Message>(
            channel_.get(), rpc, context.get(), response.get()));
    const google::protobuf::Descriptor* type = method_->input_type();
    grpc::Status refused;
    bool first = true;
    std::string pending;  // NDJSON: the part of a line not yet ended
    auto send = [&](std::unique_ptr<Message> message) {
      if (first) {
        for (const auto& [name, value] : first_fields) {
          grpc::Status set = SetField(message.get(), name, value);
          if (!set.ok()) {
            refused = set;
            return false;
          }
        }
        first = false;
      }
      return writer->Write(*message);
    };
    auto send_line = [&](absl::string_view line) {
      if (absl::StripAsciiWhitespace(line).empty()) return true;
      std::unique_ptr<Message> message = NewMessage(type);
      const auto parsed = google::protobuf::util::JsonStringToMessage(
          std::string(line), message.get());
      if (!parsed.ok()) {
        refused = Invalid(
            absl::StrCat("a line of the body is not a ", type->full_name(),
                         " in JSON: ", parsed.message().ToString()));
        return false;
      }
      return send(std::move(message));
    };
    const FieldDescriptor* bytes_field =
        raw_bytes_field.empty() ? nullptr
                                : type->FindFieldByName(raw_bytes_field);
    absl::Status read = exchange_.ReadBody([&](absl::string_view piece) {
      if (bytes_field != nullptr) {
        std::unique_ptr<Message> message = NewMessage(type);
        message->GetReflection()->SetString(message.get(), bytes_field,
                                            std::string(piece));
        return send(std::move(message));
      }
      pending.append(piece.data(), piece.size());
      size_t end;
      while ((end = pending.find('\n')) != std::string::npos) {
        if (!send_line(absl::string_view(pending).substr(0, end))) return false;
        pending.erase(0, end + 1);
      }
      return true;
    });
    if (refused.ok() && read.ok() && !pending.empty()) send_line(pending);
    if (first && refused.ok() && read.ok()) {
      send(NewMessage(type));  // an empty body: one default message
    }
    if (!refused.ok() || !read.ok()) context->TryCancel();
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!refused.ok()) status = refused;
    if (!read.ok()) {
      status = grpc::Status(grpc::UNAVAILABLE, std::string(read.message()));
    }
    if (!status.ok()) return RespondError(exchange_, status);
    exchange_.Respond(200, "application/json", ToJson(*response) + "\n");
  }

  const MethodDescriptor* method() const { return method_; }

 private:
  const std::shared_ptr<grpc::Channel> channel_;
  const MethodDescriptor* const method_;
  const std::string path_;
  HttpExchange& exchange_;
};

// The path parameters of `route` in `segments`, or false if it does not
// match.
bool Match(const Route& route, const std::vector<std::string>& segments,
           std::vector<std::pair<std::string, std::string>>* fields) {
  const std::vector<std::string> pattern =
      absl::StrSplit(route.pattern, '/', absl::SkipEmpty());
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& part = pattern[i];
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      fields->emplace_back(part.substr(1, part.size() - 2), segments[i]);
    } else if (part != segments[i]) {
      return false;
    }
  }
  return true;
}

void Serve(const std::shared_ptr<grpc::Channel>& channel, size_t max_body_bytes,
           HttpExchange& exchange) {
  const std::vector<std::string> segments = absl::StrSplit(
      exchange.path().substr(sizeof(kPrefix) - 1), '/', absl::SkipEmpty());
  std::vector<std::pair<std::string, std::string>> fields;
  const MethodDescriptor* method = nullptr;
  // An export or an import: the dump as raw bytes, not JSON.
  bool raw_dump = false;
  std::string download;  // an export: the dump's file name

  if (segments.size() == 3 && segments[0] == "rpc") {
    if (exchange.method() != "POST") {
      return RespondError(exchange,
                          grpc::Status(grpc::UNIMPLEMENTED,
                                       "call a method with POST /api/v1/rpc/"
                                       "<Service>/<Method>"));
    }
    method = FindMethod(segments[1], segments[2]);
    if (method == nullptr) {
      return RespondError(
          exchange, grpc::Status(grpc::NOT_FOUND,
                                 absl::StrCat("no method ", segments[1], "/",
                                              segments[2], " in pitr.v1")));
    }
  } else if (segments.size() == 3 && segments[0] == "branches" &&
             (segments[2] == "export" || segments[2] == "import")) {
    const bool is_export = segments[2] == "export";
    if (exchange.method() != (is_export ? "GET" : "POST")) {
      return RespondError(
          exchange,
          grpc::Status(grpc::UNIMPLEMENTED, is_export ? "an export is a GET"
                                                      : "an import is a POST"));
    }
    method =
        FindMethod("DumpService", is_export ? "ExportBranch" : "ImportDump");
    raw_dump = true;
    fields.emplace_back("branch", segments[1]);
    if (is_export) download = absl::StrCat(segments[1], ".pitrdump");
  } else {
    for (const Route& route : kRoutes) {
      if (exchange.method() == route.http_method &&
          Match(route, segments, &fields)) {
        const std::vector<std::string> rpc = absl::StrSplit(route.rpc, '/');
        method = FindMethod(rpc[0], rpc[1]);
        break;
      }
      fields.clear();
    }
    if (method == nullptr) {
      return RespondError(
          exchange,
          grpc::Status(grpc::NOT_FOUND,
                       absl::StrCat("no call at ", exchange.method(), " ",
                                    exchange.path(),
                                    " (see docs/api.md, \"JSON API\")")));
    }
  }
  for (const auto& [name, value] : exchange.query()) {
    fields.emplace_back(name, value);
  }

  Call call(channel, method, &exchange);
  if (method->client_streaming() && method->server_streaming()) {
    return RespondError(
        exchange, grpc::Status(grpc::UNIMPLEMENTED,
                               absl::StrCat(method->full_name(),
                                            " streams both ways: use gRPC")));
  }
  if (method->client_streaming()) {
    return call.ClientStream(raw_dump ? "data" : "", fields);
  }
  std::unique_ptr<Message> request = NewMessage(method->input_type());
  const grpc::Status built =
      call.BuildRequest(fields, max_body_bytes, request.get());
  if (!built.ok()) return RespondError(exchange, built);
  if (method->server_streaming()) {
    return call.ServerStream(std::move(request), raw_dump ? "data" : "",
                             download);
  }
  call.Unary(*request);
}

}  // namespace

HttpHandler JsonApiHandler(std::shared_ptr<grpc::Channel> channel,
                           size_t max_body_bytes) {
  return
      [channel = std::move(channel), max_body_bytes](HttpExchange& exchange) {
        Serve(channel, max_body_bytes, exchange);
      };
}

}  // namespace pitr
