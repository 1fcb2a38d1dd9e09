#include "image/npy.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace xm {
namespace {

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 4), }
bool find_value(const std::string& h, const std::string& key, size_t* pos) {
  size_t k = h.find("'" + key + "'");
  if (k == std::string::npos) k = h.find("\"" + key + "\"");
  if (k == std::string::npos) return false;
  size_t c = h.find(':', k);
  if (c == std::string::npos) return false;
  c++;
  while (c < h.size() && h[c] == ' ') c++;
  *pos = c;
  return c < h.size();
}

}  // namespace

Result<Tensor> npy_read(const uint8_t* b, size_t size, const std::string& name) {
  auto bad = [&](const std::string& why) { return Status::error(name + ": not a valid .npy file: " + why); };
  if (size < 10 || std::memcmp(b, "\x93NUMPY", 6) != 0) return bad("missing the \\x93NUMPY magic");
  int major = b[6];
  size_t header_len, off;
  if (major == 1) {
    header_len = size_t(b[8]) | size_t(b[9]) << 8;
    off = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return bad("truncated header");
    header_len = size_t(b[8]) | size_t(b[9]) << 8 | size_t(b[10]) << 16 | size_t(b[11]) << 24;
    off = 12;
  } else {
    return bad("unknown format version " + std::to_string(major));
  }
  if (header_len > size - off) return bad("truncated header");
  std::string h(reinterpret_cast<const char*>(b + off), header_len);
  size_t data_off = off + header_len;

  size_t p;
  if (!find_value(h, "descr", &p) || (h[p] != '\'' && h[p] != '"')) return bad("no 'descr' in header");
  size_t q = h.find(h[p], p + 1);
  if (q == std::string::npos) return bad("unterminated 'descr'");
  std::string descr = h.substr(p + 1, q - p - 1);

  if (!find_value(h, "fortran_order", &p)) return bad("no 'fortran_order' in header");
  if (h.compare(p, 4, "True") == 0) return bad("Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  if (h.compare(p, 5, "False") != 0) return bad("bad 'fortran_order'");

  if (!find_value(h, "shape", &p) || h[p] != '(') return bad("no 'shape' in header");
  size_t e = h.find(')', p);
  if (e == std::string::npos) return bad("unterminated 'shape'");
  Shape shape;
  size_t i = p + 1;
  while (i < e) {
    while (i < e && (h[i] == ' ' || h[i] == ',')) i++;
    if (i >= e) break;
    if (h[i] < '0' || h[i] > '9') return bad("bad dimension in 'shape'");
    int64_t d = 0;
    while (i < e && h[i] >= '0' && h[i] <= '9') {
      if (d > (int64_t(1) << 40)) return bad("dimension too large");
      d = d * 10 + (h[i] - '0');
      i++;
    }
    shape.push_back(d);
    if (shape.size() > 8) return bad("more than 8 dimensions");
  }
  auto n = shape_checked_numel(shape, NPY_MAX_ELEMENTS);
  if (!n) return bad(n.error());

  size_t elem;
  char kind;
  if (descr == "<f4") { elem = 4; kind = 'f'; }
  else if (descr == "<f8") { elem = 8; kind = 'd'; }
  else if (descr == "<i8") { elem = 8; kind = 'l'; }
  else if (descr == "<i4") { elem = 4; kind = 'i'; }
  else if (descr == "|u1" || descr == "<u1") { elem = 1; kind = 'u'; }
  else if (descr == "|b1") { elem = 1; kind = 'b'; }
  else return bad("unsupported dtype '" + descr + "' (use float32)");

  size_t need = size_t(*n) * elem;
  if (data_off > size || size - data_off < need)
    return bad("file is truncated: shape " + shape_str(shape) + " needs " + std::to_string(need) + " data bytes");

  Tensor t;
  t.shape = shape;
  t.data.resize(size_t(*n));
  const uint8_t* d = b + data_off;
  for (size_t k = 0; k < t.data.size(); ++k) {
    switch (kind) {
      case 'f': { float v; std::memcpy(&v, d + 4 * k, 4); t.data[k] = v; break; }
      case 'd': { double v; std::memcpy(&v, d + 8 * k, 8); t.data[k] = float(v); break; }
      case 'l': { int64_t v; std::memcpy(&v, d + 8 * k, 8); t.data[k] = float(v); break; }
      case 'i': { int32_t v; std::memcpy(&v, d + 4 * k, 4); t.data[k] = float(v); break; }
      default: t.data[k] = float(d[k]); break;
    }
  }
  return t;
}

Result<std::vector<uint8_t>> read_file_bytes(const std::string& path, size_t max_bytes) {
  // A regular file's size is known before reading; a device or pipe (/dev/zero)
  // is read to at most max_bytes + 1 bytes, enough to know it is too large.
  const std::string limit = max_bytes >= (size_t(1) << 20) ? std::to_string(max_bytes >> 20) + " MiB" : std::to_string(max_bytes) + " bytes";
  const std::string too_large = path + ": the file is larger than the limit of " + limit;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) > max_bytes)
    return Status::error(too_large);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Status::error(path + ": cannot open file");
  std::vector<uint8_t> out;
  uint8_t buf[65536];
  size_t got;
  while ((got = std::fread(buf, 1, std::min(sizeof buf, max_bytes + 1 - out.size()), f)) > 0) {
    if (out.size() + got > max_bytes) {
      std::fclose(f);
      return Status::error(too_large);
    }
    out.insert(out.end(), buf, buf + got);
  }
  bool err = std::ferror(f);
  std::fclose(f);
  if (err) return Status::error(path + ": read error");
  return out;
}

Status write_file_bytes(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Status::error(path + ": cannot open for writing");
  size_t put = size ? std::fwrite(data, 1, size, f) : 0;
  bool ok = put == size && std::fclose(f) == 0;
  if (!ok) return Status::error(path + ": write failed");
  return Status::ok();
}

Result<Tensor> npy_read_file(const std::string& path) {
  auto bytes = read_file_bytes(path, size_t(NPY_MAX_ELEMENTS) * 8 + 4096);
  if (!bytes) return bytes.status();
  return npy_read(bytes->data(), bytes->size(), path);
}

std::vector<uint8_t> npy_encode(const Tensor& t) {
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape.size(); ++i) h += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : i + 1 < t.shape.size() ? ", " : "");
  h += "), }";
  size_t total = 10 + h.size() + 1;
  size_t pad = (64 - total % 64) % 64;
  h += std::string(pad, ' ') + "\n";
  std::vector<uint8_t> out;
  out.reserve(10 + h.size() + 4 * t.data.size());
  const char magic[] = "\x93NUMPY\x01\x00";
  out.insert(out.end(), magic, magic + 8);
  out.push_back(uint8_t(h.size() & 0xff));
  out.push_back(uint8_t(h.size() >> 8));
  out.insert(out.end(), h.begin(), h.end());
  const uint8_t* d = reinterpret_cast<const uint8_t*>(t.data.data());
  out.insert(out.end(), d, d + 4 * t.data.size());
  return out;
}

Status npy_write_file(const std::string& path, const Tensor& t) {
  auto bytes = npy_encode(t);
  return write_file_bytes(path, bytes.data(), bytes.size());
}

}  // namespace xm
