// Versions shown by `xmedia --version` and the page's About panel.
#pragma once
#ifndef XMEDIA_VERSION
#define XMEDIA_VERSION "0.0.0"
#endif
namespace xm {
inline const char* core_version() { return XMEDIA_VERSION; }
}  // namespace xm
