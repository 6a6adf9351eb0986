#include "remote/s3_xml.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace pitr::remote {

namespace {

absl::Status Malformed(absl::string_view what, absl::string_view xml) {
  return absl::InternalError(absl::StrCat("malformed S3 answer (", what,
                                          "): ", xml.substr(0, 300)));
}

// Appends the UTF-8 encoding of code point `c`.
void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

}  // namespace

std::vector<absl::string_view> XmlElements(absl::string_view xml,
                                           absl::string_view tag) {
  std::vector<absl::string_view> found;
  const std::string open = absl::StrCat("<", tag, ">");
  const std::string empty = absl::StrCat("<", tag, "/>");
  const std::string close = absl::StrCat("</", tag, ">");
  size_t pos = 0;
  while (true) {
    size_t at = xml.find(open, pos);
    size_t at_empty = xml.find(empty, pos);
    if (at_empty < at) {
      found.push_back(absl::string_view());
      pos = at_empty + empty.size();
      continue;
    }
    if (at == absl::string_view::npos) break;
    size_t start = at + open.size();
    size_t end = xml.find(close, start);
    if (end == absl::string_view::npos) break;
    found.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return found;
}

std::string XmlText(absl::string_view xml, absl::string_view tag) {
  std::vector<absl::string_view> found = XmlElements(xml, tag);
  return found.empty() ? "" : XmlUnescape(found.front());
}

std::string XmlEscape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string XmlUnescape(absl::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t amp = text.find('&');
    absl::string_view plain = text.substr(0, amp);
    out.append(plain.data(), plain.size());
    if (amp == absl::string_view::npos) break;
    text.remove_prefix(amp);
    size_t semi = text.find(';');
    absl::string_view entity =
        semi == absl::string_view::npos ? "" : text.substr(1, semi - 1);
    uint32_t code = 0;
    if (entity == "amp") out.push_back('&');
    else if (entity == "lt") out.push_back('<');
    else if (entity == "gt") out.push_back('>');
    else if (entity == "quot") out.push_back('"');
    else if (entity == "apos") out.push_back('\'');
    else if (entity.size() > 2 && entity[0] == '#' && entity[1] == 'x' &&
             absl::SimpleHexAtoi(entity.substr(2), &code))
      AppendUtf8(code, &out);
    else if (entity.size() > 1 && entity[0] == '#' &&
             absl::SimpleAtoi(entity.substr(1), &code))
      AppendUtf8(code, &out);
    else {
      out.push_back('&');  // not an entity: kept as it is
      text.remove_prefix(1);
      continue;
    }
    text.remove_prefix(semi + 1);
  }
  return out;
}

absl::StatusOr<S3ListPage> ParseListPage(absl::string_view xml) {
  if (xml.find("<ListBucketResult") == absl::string_view::npos) {
    return Malformed("no ListBucketResult", xml);
  }
  S3ListPage page;
  for (absl::string_view contents : XmlElements(xml, "Contents")) {
    S3ListPage::Entry entry;
    std::vector<absl::string_view> key = XmlElements(contents, "Key");
    if (key.empty() ||
        !absl::SimpleAtoi(XmlText(contents, "Size"), &entry.size)) {
      return Malformed("a Contents without Key or Size", contents);
    }
    entry.key = XmlUnescape(key.front());
    entry.etag = XmlText(contents, "ETag");
    page.entries.push_back(std::move(entry));
  }
  page.truncated = XmlText(xml, "IsTruncated") == "true";
  page.next_token = XmlText(xml, "NextContinuationToken");
  if (page.truncated && page.next_token.empty()) {
    return Malformed("truncated without NextContinuationToken", xml);
  }
  return page;
}

S3Error ParseError(absl::string_view xml) {
  return {XmlText(xml, "Code"), XmlText(xml, "Message")};
}

std::vector<S3DeleteFailure> ParseDeleteFailures(absl::string_view xml) {
  std::vector<S3DeleteFailure> failures;
  for (absl::string_view error : XmlElements(xml, "Error")) {
    failures.push_back({XmlText(error, "Key"), ParseError(error)});
  }
  return failures;
}

std::string DeleteRequestXml(const std::vector<std::string>& keys) {
  std::string xml = "<Delete><Quiet>true</Quiet>";
  for (const std::string& key : keys) {
    absl::StrAppend(&xml, "<Object><Key>", XmlEscape(key), "</Key></Object>");
  }
  return xml + "</Delete>";
}

std::string CompleteMultipartXml(const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    absl::StrAppend(&xml, "<Part><PartNumber>", i + 1, "</PartNumber><ETag>",
                    XmlEscape(etags[i]), "</ETag></Part>");
  }
  return xml + "</CompleteMultipartUpload>";
}

}  // namespace pitr::remote
