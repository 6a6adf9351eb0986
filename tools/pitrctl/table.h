// Plain-text tables with aligned columns, for pitrctl's human output.
//
//   Table t({"NAME", "LSN"});
//   t.AddRow({"main", "0/16B3748"});
//   std::cout << t.Render();
//
// prints the header and each row on a line, columns left-aligned and
// separated by two spaces, no trailing white space. Widths count UTF-8
// characters, not bytes.
#ifndef PITR_TOOLS_PITRCTL_TABLE_H_
#define PITR_TOOLS_PITRCTL_TABLE_H_

#include <string>
#include <vector>

namespace pitr::ctl {

class Table {
 public:
  // An empty `header` renders no header line (for key/value listings).
  explicit Table(std::vector<std::string> header);

  // A row shorter than the widest one is padded with empty cells.
  void AddRow(std::vector<std::string> cells);

  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace pitr::ctl

#endif  // PITR_TOOLS_PITRCTL_TABLE_H_
