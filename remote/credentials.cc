#include "remote/credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace pitr::remote {

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

absl::StatusOr<Credentials> ParseCredentialsFile(absl::string_view text,
                                                 absl::string_view profile,
                                                 absl::string_view source) {
  Credentials found;
  bool in_profile = false;
  bool seen_profile = false;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", line_number, ": unterminated section \"",
                         line, "\""));
      }
      absl::string_view name =
          absl::StripAsciiWhitespace(line.substr(1, line.size() - 2));
      in_profile = name == profile;
      seen_profile |= in_profile;
      continue;
    }
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", line_number, ": expected \"name = value\", got \"",
          line, "\""));
    }
    if (!in_profile) continue;
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, eq));
    std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (name == "aws_access_key_id") found.access_key_id = value;
    if (name == "aws_secret_access_key") found.secret_access_key = value;
    if (name == "aws_session_token") found.session_token = value;
  }
  if (!seen_profile) {
    return absl::NotFoundError(
        absl::StrCat(source, " has no [", profile, "] profile"));
  }
  if (found.access_key_id.empty() || found.secret_access_key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": profile [", profile,
        "] needs both aws_access_key_id and aws_secret_access_key"));
  }
  return found;
}

absl::StatusOr<Credentials> LoadCredentials(const std::string& path) {
  std::string id = Env("AWS_ACCESS_KEY_ID");
  std::string secret = Env("AWS_SECRET_ACCESS_KEY");
  if (!id.empty() || !secret.empty()) {
    if (id.empty() || secret.empty()) {
      return absl::InvalidArgumentError(
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together "
          "(only one of them is)");
    }
    return Credentials{id, secret, Env("AWS_SESSION_TOKEN")};
  }
  std::string file = path;
  if (file.empty()) file = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty() && !Env("HOME").empty()) {
    file = Env("HOME") + "/.aws/credentials";
  }
  std::string profile = Env("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::ifstream in(file);
  if (file.empty() || !in) {
    return absl::NotFoundError(absl::StrCat(
        "no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are "
        "not set and the credentials file \"",
        file, "\" cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseCredentialsFile(text.str(), profile, file);
}

}  // namespace pitr::remote
