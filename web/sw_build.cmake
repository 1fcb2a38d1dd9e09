# Writes WEB_DIR/sw.js from TEMPLATE (web/sw.js.in): the list of the site's
# files to cache and a version that is a hash of their contents.
#   cmake -DWEB_DIR=build/web -DTEMPLATE=web/sw.js.in -P web/sw_build.cmake
file(GLOB_RECURSE _files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT _files)
set(_list "")
set(_hashes "")
foreach(f IN LISTS _files)
  # ort/: ONNX Runtime Web is loaded only when a model first runs on it (web/xmedia-ort.js).
  if(f STREQUAL "sw.js" OR f MATCHES "(^|/)\\." OR f MATCHES "\\.map$" OR f MATCHES "^ort/")
    continue()
  endif()
  # Big optional parts (ONNX Runtime Web's 12 MB wasm, needed only for models
  # the engine cannot run) are not fetched up front; the worker keeps them once used.
  file(SIZE "${WEB_DIR}/${f}" _size)
  if(_size GREATER 4000000)
    continue()
  endif()
  file(SHA256 "${WEB_DIR}/${f}" _h)
  string(APPEND _hashes "${f}:${_h}\n")
  if(_list)
    string(APPEND _list ",\n")
  endif()
  string(APPEND _list "  '${f}'")
endforeach()
string(SHA256 _version "${_hashes}")
string(SUBSTRING "${_version}" 0 16 XMEDIA_SW_VERSION)
set(XMEDIA_SW_FILES "\n${_list}\n")
configure_file("${TEMPLATE}" "${WEB_DIR}/sw.js" @ONLY)
