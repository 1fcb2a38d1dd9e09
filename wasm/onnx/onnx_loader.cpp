// ONNX protobuf decoding on protozero. Field numbers follow onnx/onnx.proto3
// (IR version 8).
//
// No exceptions: WebAssembly builds here cannot catch them, and protozero
// throws on malformed wire data. So every message is first checked to be a
// well-formed field sequence (wire_ok), every getter checks the field's wire
// type first, and packed payloads are checked before iterating; after that
// protozero cannot throw. Errors travel in a Decoder and stop the decoding.
#include <cstring>
#include <protozero/pbf_reader.hpp>

#include "image/npy.h"
#include "onnx/onnx_model.h"

namespace xm {
namespace onnx {

namespace {

using protozero::pbf_wire_type;

// Reads one varint at p (end e); false if truncated or longer than 10 bytes.
bool skip_varint(const char*& p, const char* e, uint64_t* value = nullptr) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p == e) return false;
    uint8_t b = uint8_t(*p++);
    if (shift < 64) v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (value) *value = v;
      return true;
    }
  }
  return false;
}

// Is [p, p+n) a well-formed sequence of protobuf fields (no groups, valid tags,
// every length inside)? Then protozero's next()/skip()/get_* cannot throw on it.
bool wire_ok(const char* p, size_t n) {
  const char* e = p + n;
  while (p < e) {
    uint64_t key = 0;
    if (!skip_varint(p, e, &key)) return false;
    uint64_t tag = key >> 3;
    if (tag == 0 || tag > ((uint64_t(1) << 29) - 1) || (tag >= 19000 && tag <= 19999)) return false;
    switch (key & 7) {
      case 0: if (!skip_varint(p, e)) return false; break;
      case 1: if (e - p < 8) return false; p += 8; break;
      case 5: if (e - p < 4) return false; p += 4; break;
      case 2: {
        uint64_t len = 0;
        if (!skip_varint(p, e, &len) || len > uint64_t(e - p)) return false;
        p += len;
        break;
      }
      default: return false;  // groups (3, 4) and undefined types
    }
  }
  return true;
}

bool varints_ok(protozero::data_view v) {
  const char* p = v.data();
  const char* e = p + v.size();
  while (p < e)
    if (!skip_varint(p, e)) return false;
  return true;
}

struct Decoder {
  std::string err;
  bool fail(const std::string& m) {
    if (err.empty()) err = m;
    return false;
  }
  bool ok() const { return err.empty(); }
};

// A reader over a checked message.
bool open(Decoder& d, protozero::data_view v, const char* what, protozero::pbf_reader* out) {
  if (!wire_ok(v.data(), v.size()))
    return d.fail(std::string("not a valid ONNX model (corrupt or truncated protobuf in ") + what + ")");
  *out = protozero::pbf_reader(v);
  return true;
}

bool want(Decoder& d, const protozero::pbf_reader& m, pbf_wire_type w, const char* what) {
  if (m.wire_type() != w) return d.fail(std::string("field ") + what + " has the wrong wire type");
  return true;
}

bool check_count(Decoder& d, size_t have, size_t more, const char* what) {
  if (have + more > size_t(MAX_TENSOR_ELEMENTS)) return d.fail(std::string("too many ") + what);
  return true;
}

// Repeated integer fields appear packed (length-delimited) or one per field.
enum class IntKind { I64, I32, U64 };
bool read_ints(Decoder& d, protozero::pbf_reader& m, IntKind kind, std::vector<int64_t>* out, const char* what) {
  if (m.wire_type() == pbf_wire_type::length_delimited) {
    protozero::data_view v = m.get_view();
    if (!varints_ok(v)) return d.fail(std::string("corrupt packed ") + what);
    const char* p = v.data();
    const char* e = p + v.size();
    while (p < e) {
      uint64_t x = 0;
      skip_varint(p, e, &x);
      if (!check_count(d, out->size(), 1, what)) return false;
      out->push_back(kind == IntKind::I32 ? int64_t(int32_t(uint32_t(x))) : int64_t(x));
    }
    return true;
  }
  if (!want(d, m, pbf_wire_type::varint, what)) return false;
  if (!check_count(d, out->size(), 1, what)) return false;
  out->push_back(kind == IntKind::I32 ? int64_t(m.get_int32()) : kind == IntKind::U64 ? int64_t(m.get_uint64()) : m.get_int64());
  return true;
}

bool read_floats(Decoder& d, protozero::pbf_reader& m, bool is_double, std::vector<float>* out, const char* what) {
  const size_t w = is_double ? 8 : 4;
  if (m.wire_type() == pbf_wire_type::length_delimited) {
    protozero::data_view v = m.get_view();
    if (v.size() % w) return d.fail(std::string("corrupt packed ") + what);
    size_t n = v.size() / w;
    if (!check_count(d, out->size(), n, what)) return false;
    for (size_t k = 0; k < n; ++k) {
      if (is_double) {
        double x;
        std::memcpy(&x, v.data() + 8 * k, 8);
        out->push_back(float(x));
      } else {
        float x;
        std::memcpy(&x, v.data() + 4 * k, 4);
        out->push_back(x);
      }
    }
    return true;
  }
  if (!want(d, m, is_double ? pbf_wire_type::fixed64 : pbf_wire_type::fixed32, what)) return false;
  if (!check_count(d, out->size(), 1, what)) return false;
  out->push_back(is_double ? float(m.get_double()) : m.get_float());
  return true;
}

bool get_string(Decoder& d, protozero::pbf_reader& m, std::string* s, const char* what) {
  if (!want(d, m, pbf_wire_type::length_delimited, what)) return false;
  *s = m.get_string();
  return true;
}

bool get_i64(Decoder& d, protozero::pbf_reader& m, int64_t* v, const char* what) {
  if (!want(d, m, pbf_wire_type::varint, what)) return false;
  *v = m.get_int64();
  return true;
}

template <class T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // every target here is little-endian
  return v;
}

size_t dtype_size(int dt) {
  switch (dt) {
    case DT_FLOAT: case DT_INT32: case DT_UINT32: return 4;
    case DT_DOUBLE: case DT_INT64: case DT_UINT64: return 8;
    case DT_INT16: case DT_UINT16: case DT_FLOAT16: return 2;
    case DT_INT8: case DT_UINT8: case DT_BOOL: return 1;
    default: return 0;
  }
}

bool read_tensor(Decoder& d, protozero::data_view view, TensorData* t) {
  protozero::pbf_reader m;
  if (!open(d, view, "a tensor", &m)) return false;
  std::vector<int64_t> dims, idata;
  std::vector<float> fdata;
  protozero::data_view raw;
  bool has_raw = false, external = false;
  int64_t dtype = 0;
  while (d.ok() && m.next()) {
    switch (m.tag()) {
      case 1: read_ints(d, m, IntKind::I64, &dims, "dims"); break;
      case 2: get_i64(d, m, &dtype, "data_type"); break;
      case 4: read_floats(d, m, false, &fdata, "float_data"); break;
      case 5: read_ints(d, m, IntKind::I32, &idata, "int32_data"); break;
      case 7: read_ints(d, m, IntKind::I64, &idata, "int64_data"); break;
      case 8: get_string(d, m, &t->name, "name"); break;
      case 9:
        if (want(d, m, pbf_wire_type::length_delimited, "raw_data")) {
          raw = m.get_view();
          has_raw = true;
        }
        break;
      case 10: read_floats(d, m, true, &fdata, "double_data"); break;
      case 11: read_ints(d, m, IntKind::U64, &idata, "uint64_data"); break;
      case 13: m.skip(); external = true; break;
      case 14: {
        int64_t loc = 0;
        if (get_i64(d, m, &loc, "data_location") && loc == 1) external = true;
        break;
      }
      default: m.skip();
    }
  }
  if (!d.ok()) return false;
  t->dtype = int(dtype);
  std::string who = "tensor '" + t->name + "'";
  if (external) return d.fail(who + " uses external data, which is not supported (save the model with the weights inside)");
  if (dims.size() > size_t(MAX_RANK)) return d.fail(who + " has rank " + std::to_string(dims.size()));
  t->dims = dims;
  auto n = shape_checked_numel(t->dims, MAX_TENSOR_ELEMENTS);
  if (!n) return d.fail(who + ": " + n.error());
  const size_t count = size_t(*n);
  const bool is_f = dtype_is_float(t->dtype), is_i = dtype_is_integer(t->dtype);
  if (!is_f && !is_i) return d.fail(who + " has data type " + dtype_name(t->dtype) + ", which is not supported");
  if (has_raw) {
    size_t es = dtype_size(t->dtype);
    if (raw.size() != count * es)
      return d.fail(who + ": raw data holds " + std::to_string(raw.size()) + " bytes, shape " + shape_str(t->dims) +
                    " needs " + std::to_string(count * es));
    const char* p = raw.data();
    if (is_f) {
      t->f.resize(count);
      for (size_t k = 0; k < count; ++k)
        t->f[k] = t->dtype == DT_FLOAT ? load_le<float>(p + 4 * k) : float(load_le<double>(p + 8 * k));
    } else {
      t->i.resize(count);
      for (size_t k = 0; k < count; ++k) {
        switch (t->dtype) {
          case DT_INT64: case DT_UINT64: t->i[k] = load_le<int64_t>(p + 8 * k); break;
          case DT_INT32: t->i[k] = load_le<int32_t>(p + 4 * k); break;
          case DT_UINT32: t->i[k] = load_le<uint32_t>(p + 4 * k); break;
          case DT_INT16: t->i[k] = load_le<int16_t>(p + 2 * k); break;
          case DT_UINT16: t->i[k] = load_le<uint16_t>(p + 2 * k); break;
          case DT_INT8: t->i[k] = int8_t(p[k]); break;
          default: t->i[k] = uint8_t(p[k]); break;  // uint8, bool
        }
      }
    }
  } else if (is_f) {
    if (!idata.empty() || fdata.size() != count)
      return d.fail(who + ": holds " + std::to_string(fdata.size()) + " values, shape " + shape_str(t->dims) + " needs " +
                    std::to_string(count));
    t->f = std::move(fdata);
  } else {
    if (!fdata.empty() || idata.size() != count)
      return d.fail(who + ": holds " + std::to_string(idata.size()) + " values, shape " + shape_str(t->dims) + " needs " +
                    std::to_string(count));
    t->i = std::move(idata);
  }
  return true;
}

bool read_attribute(Decoder& d, protozero::data_view view, Attribute* a, bool* has_graph) {
  protozero::pbf_reader m;
  if (!open(d, view, "an attribute", &m)) return false;
  bool has_t = false;
  int64_t type = 0;
  while (d.ok() && m.next()) {
    switch (m.tag()) {
      case 1: get_string(d, m, &a->name, "attribute name"); break;
      case 2:
        if (want(d, m, pbf_wire_type::fixed32, "attribute f")) a->f = m.get_float();
        break;
      case 3: get_i64(d, m, &a->i, "attribute i"); break;
      case 4: get_string(d, m, &a->s, "attribute s"); break;
      case 5:
        if (want(d, m, pbf_wire_type::length_delimited, "attribute t")) {
          read_tensor(d, m.get_view(), &a->t);
          has_t = true;
        }
        break;
      case 6: case 11: m.skip(); *has_graph = true; break;
      case 7: read_floats(d, m, false, &a->floats, "attribute floats"); break;
      case 8: read_ints(d, m, IntKind::I64, &a->ints, "attribute ints"); break;
      case 20: get_i64(d, m, &type, "attribute type"); break;
      default: m.skip();
    }
  }
  a->type = int(type);
  if (d.ok() && a->type == AT_TENSOR && !has_t) return d.fail("attribute '" + a->name + "' has no tensor");
  return d.ok();
}

bool read_node(Decoder& d, protozero::data_view view, Node* n) {
  protozero::pbf_reader m;
  if (!open(d, view, "a node", &m)) return false;
  while (d.ok() && m.next()) {
    std::string s;
    switch (m.tag()) {
      case 1: if (get_string(d, m, &s, "node input")) n->inputs.push_back(s); break;
      case 2: if (get_string(d, m, &s, "node output")) n->outputs.push_back(s); break;
      case 3: get_string(d, m, &n->name, "node name"); break;
      case 4: get_string(d, m, &n->op_type, "op_type"); break;
      case 5:
        if (want(d, m, pbf_wire_type::length_delimited, "node attribute")) {
          n->attributes.emplace_back();
          read_attribute(d, m.get_view(), &n->attributes.back(), &n->has_subgraph);
        }
        break;
      case 7: get_string(d, m, &n->domain, "node domain"); break;
      default: m.skip();
    }
  }
  return d.ok();
}

bool read_shape(Decoder& d, protozero::data_view view, ValueInfo* v) {
  protozero::pbf_reader shape;
  if (!open(d, view, "a shape", &shape)) return false;
  v->has_shape = true;
  while (d.ok() && shape.next()) {
    if (shape.tag() != 1 || !want(d, shape, pbf_wire_type::length_delimited, "dim")) {
      if (d.ok()) shape.skip();
      continue;
    }
    if (v->dims.size() >= size_t(MAX_RANK)) return d.fail("value '" + v->name + "' has too many dimensions");
    int64_t dv = -1;
    std::string dp;
    protozero::pbf_reader dim;
    if (!open(d, shape.get_view(), "a dimension", &dim)) return false;
    while (d.ok() && dim.next()) {
      if (dim.tag() == 1) get_i64(d, dim, &dv, "dim_value");
      else if (dim.tag() == 2) get_string(d, dim, &dp, "dim_param");
      else dim.skip();
    }
    if (dv < -1) dv = -1;
    v->dims.push_back(dv);
    v->dim_params.push_back(dp);
  }
  return d.ok();
}

bool read_value_info(Decoder& d, protozero::data_view view, ValueInfo* v) {
  protozero::pbf_reader m;
  if (!open(d, view, "a value info", &m)) return false;
  while (d.ok() && m.next()) {
    if (m.tag() == 1) {
      get_string(d, m, &v->name, "value name");
    } else if (m.tag() == 2 && want(d, m, pbf_wire_type::length_delimited, "value type")) {
      protozero::pbf_reader type;
      if (!open(d, m.get_view(), "a type", &type)) return false;
      while (d.ok() && type.next()) {
        // Only tensor types (field 1); sequences and maps leave elem_type undefined.
        if (type.tag() != 1 || !want(d, type, pbf_wire_type::length_delimited, "tensor type")) {
          if (d.ok()) type.skip();
          continue;
        }
        protozero::pbf_reader tt;
        if (!open(d, type.get_view(), "a tensor type", &tt)) return false;
        while (d.ok() && tt.next()) {
          int64_t et = 0;
          if (tt.tag() == 1) {
            if (get_i64(d, tt, &et, "elem_type")) v->elem_type = int(et);
          } else if (tt.tag() == 2 && want(d, tt, pbf_wire_type::length_delimited, "shape")) {
            read_shape(d, tt.get_view(), v);
          } else if (d.ok()) {
            tt.skip();
          }
        }
      }
    } else if (d.ok()) {
      m.skip();
    }
  }
  return d.ok();
}

bool read_graph(Decoder& d, protozero::data_view view, Graph* g) {
  protozero::pbf_reader m;
  if (!open(d, view, "the graph", &m)) return false;
  while (d.ok() && m.next()) {
    const uint32_t tag = m.tag();
    if (tag == 1 || tag == 5 || tag == 11 || tag == 12 || tag == 15) {
      if (!want(d, m, pbf_wire_type::length_delimited, "graph entry")) break;
    }
    switch (tag) {
      case 1: g->nodes.emplace_back(); read_node(d, m.get_view(), &g->nodes.back()); break;
      case 2: get_string(d, m, &g->name, "graph name"); break;
      case 5: g->initializers.emplace_back(); read_tensor(d, m.get_view(), &g->initializers.back()); break;
      case 11: g->inputs.emplace_back(); read_value_info(d, m.get_view(), &g->inputs.back()); break;
      case 12: g->outputs.emplace_back(); read_value_info(d, m.get_view(), &g->outputs.back()); break;
      case 15: return d.fail("sparse initializers are not supported");
      default: m.skip();
    }
  }
  return d.ok();
}

bool read_model(Decoder& d, protozero::data_view view, Model* model) {
  protozero::pbf_reader m;
  if (!open(d, view, "the model", &m)) return false;
  bool has_graph = false;
  while (d.ok() && m.next()) {
    switch (m.tag()) {
      case 1: get_i64(d, m, &model->ir_version, "ir_version"); break;
      case 2: get_string(d, m, &model->producer_name, "producer_name"); break;
      case 7:
        if (want(d, m, pbf_wire_type::length_delimited, "graph")) {
          read_graph(d, m.get_view(), &model->graph);
          has_graph = true;
        }
        break;
      case 8: {
        if (!want(d, m, pbf_wire_type::length_delimited, "opset_import")) break;
        protozero::pbf_reader op;
        if (!open(d, m.get_view(), "an opset import", &op)) break;
        std::string domain;
        int64_t version = 0;
        while (d.ok() && op.next()) {
          if (op.tag() == 1) get_string(d, op, &domain, "opset domain");
          else if (op.tag() == 2) get_i64(d, op, &version, "opset version");
          else op.skip();
        }
        // A model of other domains only keeps opset 0; the engine refuses it with a message.
        if (domain.empty() || domain == "ai.onnx") model->opset = version;
        break;
      }
      default: m.skip();
    }
  }
  if (!d.ok()) return false;
  if (!has_graph) return d.fail("no graph (is this an ONNX model?)");
  if (model->ir_version < 3) return d.fail("IR version " + std::to_string(model->ir_version) + " is too old or not ONNX");
  return true;
}

}  // namespace

const char* dtype_name(int dt) {
  switch (dt) {
    case DT_FLOAT: return "float32";
    case DT_UINT8: return "uint8";
    case DT_INT8: return "int8";
    case DT_UINT16: return "uint16";
    case DT_INT16: return "int16";
    case DT_INT32: return "int32";
    case DT_INT64: return "int64";
    case DT_STRING: return "string";
    case DT_BOOL: return "bool";
    case DT_FLOAT16: return "float16";
    case DT_DOUBLE: return "float64";
    case DT_UINT32: return "uint32";
    case DT_UINT64: return "uint64";
    case DT_UNDEFINED: return "undefined";
    default: return "unknown";
  }
}

bool dtype_is_float(int dt) { return dt == DT_FLOAT || dt == DT_DOUBLE; }
bool dtype_is_integer(int dt) {
  return dt == DT_UINT8 || dt == DT_INT8 || dt == DT_UINT16 || dt == DT_INT16 || dt == DT_INT32 || dt == DT_INT64 ||
         dt == DT_BOOL || dt == DT_UINT32 || dt == DT_UINT64;
}

Result<Model> parse_model(const uint8_t* data, size_t size, const std::string& name) {
  if (size == 0) return Status::error(name + ": the file is empty");
  if (size > MAX_MODEL_BYTES) return Status::error(name + ": the file is too large for a model here");
  Decoder d;
  Model m;
  if (!read_model(d, protozero::data_view(reinterpret_cast<const char*>(data), size), &m))
    return Status::error(name + ": " + d.err);
  return m;
}

Result<Model> load_file(const std::string& path) {
  auto bytes = read_file_bytes(path, MAX_MODEL_BYTES);
  if (!bytes) return bytes.status();
  return parse_model(bytes->data(), bytes->size(), path);
}

Result<TensorData> parse_tensor(const uint8_t* data, size_t size, const std::string& name) {
  Decoder d;
  TensorData t;
  if (!read_tensor(d, protozero::data_view(reinterpret_cast<const char*>(data), size), &t))
    return Status::error(name + ": " + d.err);
  return t;
}

const Attribute* find_attr(const Node& n, const char* name) {
  for (const Attribute& a : n.attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::string node_label(const Node& n) {
  std::string nm = !n.name.empty() ? n.name : (!n.outputs.empty() ? n.outputs[0] : std::string("?"));
  return "node '" + nm + "' (" + n.op_type + ")";
}

}  // namespace onnx
}  // namespace xm
