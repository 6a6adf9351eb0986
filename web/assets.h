// The web console's files (web/*.html, *.js, *.css), built into pitrd by
// web/embed.py: nothing to install, no CDN, works offline.
#ifndef PITR_WEB_ASSETS_H_
#define PITR_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace pitr {

struct WebAsset {
  const char* path;  // "/index.html"
  const char* content_type;
  const unsigned char* data;
  size_t size;
};

// The file served at `path` ("/" is index.html), or null.
const WebAsset* FindWebAsset(absl::string_view path);

}  // namespace pitr

#endif  // PITR_WEB_ASSETS_H_
