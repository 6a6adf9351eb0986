#include "tools/pitrctl/output.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "tools/pitrctl/table.h"

namespace pitr::ctl {

using clients::Json;
namespace {

// Adds a row per scalar field of `object`, nested ones as "prefix.name".
void AddFieldRows(const Json& object, const std::string& prefix, Table* table) {
  for (size_t i = 0; i < object.keys().size(); ++i) {
    const Json& value = object.items()[i];
    std::string name = prefix + object.keys()[i];
    if (value.kind() == Json::Kind::kObject) {
      AddFieldRows(value, name + ".", table);
    } else {
      table->AddRow({name, CellText(value)});
    }
  }
}

}  // namespace

std::string CellText(const Json& value) {
  switch (value.kind()) {
    case Json::Kind::kString:
      return value.text();
    case Json::Kind::kNull:
      return "-";
    default:
      return value.Dump();
  }
}

std::string FieldText(const Json& object, const std::string& path) {
  const Json* value = &object;
  for (absl::string_view key : absl::StrSplit(path, '.')) {
    if (value->kind() != Json::Kind::kObject) return "";
    value = value->Find(std::string(key));
    if (value == nullptr) return "";
  }
  return CellText(*value);
}

Column FieldColumn(const std::string& path) {
  return Column{absl::AsciiStrToUpper(path),
                [path](const Json& item) { return FieldText(item, path); }};
}

void Output::Print(const Json& object) {
  if (json_) return Write(object.Dump() + "\n");
  Table table({});
  AddFieldRows(object, "", &table);
  Write(table.Render());
}

void Output::PrintList(const std::string& name, const Json& items,
                       const std::vector<Column>& columns) {
  if (json_) return Write(Json::Object().Set(name, items).Dump() + "\n");
  std::vector<std::string> header;
  for (const Column& column : columns) header.push_back(column.header);
  Table table(header);
  for (const Json& item : items.items()) {
    std::vector<std::string> row;
    for (const Column& column : columns) row.push_back(column.cell(item));
    table.AddRow(row);
  }
  Write(table.Render());
}

void Output::Note(const std::string& line) {
  if (!json_) Write(line + "\n");
}

void Output::Write(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace pitr::ctl
