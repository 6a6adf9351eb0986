// Where pitrctl's results go: JSON (--json) or text for people, from the
// same Json values (views.h), so both forms carry the same fields.
//
// --json: one JSON document a line for each result. Text: a single result
// as aligned "field  value" lines (nested fields as "parent.field"), a list
// as a table. In text, null prints as "-".
#ifndef PITR_TOOLS_PITRCTL_OUTPUT_H_
#define PITR_TOOLS_PITRCTL_OUTPUT_H_

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "clients/common/json.h"

namespace pitr::ctl {

// A table column: its header and how to get its cell from a list item.
struct Column {
  std::string header;
  std::function<std::string(const clients::Json& item)> cell;
};

// A column showing field `path` of each item ("a.b" for nested fields),
// headed by the path in capitals.
Column FieldColumn(const std::string& path);

// The text form of a value (strings bare, null "-", others as JSON), and
// of the field at `path` of an object ("" if absent).
std::string CellText(const clients::Json& value);
std::string FieldText(const clients::Json& object, const std::string& path);

class Output {
 public:
  // Writes to `out` (not owned; must outlive this).
  Output(FILE* out, bool json) : out_(out), json_(json) {}

  bool json() const { return json_; }

  // One result.
  void Print(const clients::Json& object);
  // A list: as JSON {"<name>": [items...]}, as text a table.
  void PrintList(const std::string& name, const clients::Json& items,
                 const std::vector<Column>& columns);
  // A line only shown in text form (a hint or a note).
  void Note(const std::string& line);

 private:
  void Write(const std::string& text);

  FILE* const out_;
  const bool json_;
};

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_OUTPUT_H_
