// A small JSON value for clients' JSON output (pitrctl --json, pitr-wal
// dump --json).
//
// pitrctl's commands turn each result into a Json (tools/pitrctl/views.h)
// and its output layer renders it either as JSON or as a table
// (tools/pitrctl/output.h), so both forms show the same fields. LSNs are
// strings in "X/Y" form and times RFC 3339 strings: a Json never holds them as
// numbers. Object keys keep insertion order.
#ifndef PITR_CLIENTS_COMMON_JSON_H_
#define PITR_CLIENTS_COMMON_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

namespace pitr::clients {

class Json {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  static Json Null() { return Json(Kind::kNull, "null"); }
  static Json Bool(bool b) { return Json(Kind::kBool, b ? "true" : "false"); }
  static Json Number(uint64_t n) {
    return Json(Kind::kNumber, std::to_string(n));
  }
  static Json String(std::string s) {
    return Json(Kind::kString, std::move(s));
  }
  static Json Array() { return Json(Kind::kArray, ""); }
  static Json Object() { return Json(Kind::kObject, ""); }

  Kind kind() const { return kind_; }
  // The text of a string, the digits of a number, "true"/"false", "null".
  const std::string& text() const { return text_; }
  // Elements of an array, or values of an object (in key order).
  const std::vector<Json>& items() const { return items_; }
  // Keys of an object, parallel to items().
  const std::vector<std::string>& keys() const { return keys_; }

  // REQUIRES: kind() == kObject. Appends a member; returns *this to chain.
  Json& Set(std::string key, Json value);
  // REQUIRES: kind() == kArray. Appends an element.
  Json& Push(Json value);
  // The member named `key`, or nullptr. REQUIRES: kind() == kObject.
  const Json* Find(const std::string& key) const;

  // Compact JSON text on one line.
  std::string Dump() const;

 private:
  Json(Kind kind, std::string text) : kind_(kind), text_(std::move(text)) {}
  void DumpTo(std::string* out) const;

  Kind kind_;
  std::string text_;
  std::vector<std::string> keys_;
  std::vector<Json> items_;
};

// `s` as a JSON string literal, quotes included. Control characters and
// bytes that are not valid UTF-8 are escaped (\u00XX), so the result is
// always valid JSON.
std::string JsonQuote(const std::string& s);

}  // namespace pitr::clients

#endif  // PITR_CLIENTS_COMMON_JSON_H_
