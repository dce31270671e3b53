// JSON for contracts (RFC 8259): reading a document fetched over HTTP (a price API, a JSON-RPC
// answer) and writing a small one (a JSON-RPC request). No floats anywhere: numbers are kept as
// their text, and read as integers only when asked.
//
// Reading. Parse() checks the whole text once — grammar, valid UTF-8 in strings, nesting at most
// max_depth containers deep (the top one is depth 1), nothing but whitespace after the value —
// and answers a Value: a view into the text, which must outlive it. Since the text is known to be
// valid, looking a field up (Find), reading a string with its escapes decoded (ReadString) or an
// integer (ReadI64, ReadU64), a bool or null never fails on syntax, only on what the value is:
// the wrong type, a number out of range, a name given twice. A lookup scans the object each time;
// documents here are small (a JSON-RPC answer, a price). Object keys are compared as written: a
// key spelled with escapes ("pr\u0069ce") does not match the plain name, which keeps lookups
// byte-for-byte and allocation-free (the keys of the documents read here have no escapes).
//
// Writing. Writer builds a compact document into a String, escaping strings as RFC 8259 says;
// commas and colons are its business, the caller gives the structure.
//
// Freestanding (base.h, types.h). No state beyond the objects; not thread-safe (a contract has
// one thread).
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::json {

PHAT_ENUM(JsonError,
          Syntax,        // not JSON (where: JsonParseError::offset)
          TooDeep,       // containers nested deeper than the limit
          WrongType,     // the value is not of the type asked for
          OutOfRange,    // an integer that does not fit the type asked for
          DuplicateKey,  // the name looked up appears twice in the object: which one is meant?
          BadString);    // a string with a lone UTF-16 surrogate escape: it has no UTF-8 form

// Where Parse gave up: the error and the byte offset in the text.
struct JsonParseError {
  JsonError error = JsonError::Syntax;
  u32 offset = 0;
  PHAT_FIELDS(JsonParseError, error, offset);
};

enum class Type : u8 { kNull, kBool, kNumber, kString, kArray, kObject };

inline constexpr u32 kDefaultMaxDepth = 32;

// Bytes of text: a number as written, a string's contents as written.
struct Text {
  const char* data = nullptr;
  u32 size = 0;
  bool Equals(const char* other) const {
    u32 i = 0;
    for (; i < size; ++i) {
      if (other[i] == 0 || other[i] != data[i]) return false;
    }
    return other[i] == 0;
  }
};

namespace internal {

constexpr bool IsSpace(u8 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
constexpr bool IsDigit(u8 c) {
  return c >= '0' && c <= '9';
}
constexpr int HexValue(u8 c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The length of the JSON number at p (before end), 0 if there is none; *integer: it has neither
// fraction nor exponent.
inline u32 ScanNumber(const u8* p, const u8* end, bool* integer) {
  const u8* s = p;
  if (s != end && *s == '-') ++s;
  if (s == end || !IsDigit(*s)) return 0;
  if (*s == '0') {
    ++s;
  } else {
    while (s != end && IsDigit(*s)) ++s;
  }
  *integer = true;
  if (s != end && *s == '.') {
    ++s;
    if (s == end || !IsDigit(*s)) return 0;
    while (s != end && IsDigit(*s)) ++s;
    *integer = false;
  }
  if (s != end && (*s == 'e' || *s == 'E')) {
    ++s;
    if (s != end && (*s == '+' || *s == '-')) ++s;
    if (s == end || !IsDigit(*s)) return 0;
    while (s != end && IsDigit(*s)) ++s;
    *integer = false;
  }
  return static_cast<u32>(s - p);
}

// The length of one UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), 0 if it is not one.
inline u32 Utf8Length(const u8* p, const u8* end) {
  u8 c = p[0];
  if (c < 0x80) return 1;
  u32 n = 0;
  u8 lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (static_cast<u32>(end - p) < n) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (u32 i = 2; i < n; ++i) {
    if (p[i] < 0x80 || p[i] > 0xbf) return 0;
  }
  return n;
}

// The whole-document check behind Parse: a recursive descent, bounded by the depth limit.
class Validator {
 public:
  Validator(const u8* begin, const u8* end, u32 max_depth)
      : begin_(begin), p_(begin), end_(end), max_depth_(max_depth) {}

  // The offset of the value's first byte, or the error.
  Result<u32, JsonParseError> Document() {
    SkipSpace();
    u32 start = Offset();
    if (!Value(0)) return Err(error_);
    SkipSpace();
    if (p_ != end_) {
      Fail(JsonError::Syntax);
      return Err(error_);
    }
    return Ok(start);
  }

 private:
  bool Value(u32 depth) {
    if (p_ == end_) return Fail(JsonError::Syntax);
    switch (*p_) {
      case '{':
        return Container(depth + 1, '}', true);
      case '[':
        return Container(depth + 1, ']', false);
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default: {
        bool integer = false;
        u32 n = ScanNumber(p_, end_, &integer);
        if (n == 0) return Fail(JsonError::Syntax);
        p_ += n;
        return true;
      }
    }
  }

  // An object (members "name": value) or an array (values), opening bracket at p_.
  bool Container(u32 depth, u8 close, bool object) {
    if (depth > max_depth_) return Fail(JsonError::TooDeep);
    ++p_;
    SkipSpace();
    if (Eat(close)) return true;
    for (;;) {
      if (object) {
        if (p_ == end_ || *p_ != '"' || !String()) return Fail(JsonError::Syntax);
        SkipSpace();
        if (!Eat(':')) return Fail(JsonError::Syntax);
        SkipSpace();
      }
      if (!Value(depth)) return false;
      SkipSpace();
      if (Eat(close)) return true;
      if (!Eat(',')) return Fail(JsonError::Syntax);
      SkipSpace();
    }
  }

  bool String() {
    ++p_;  // the opening quote
    while (p_ != end_ && *p_ != '"') {
      if (*p_ < 0x20) return Fail(JsonError::Syntax);  // control characters are escaped
      if (*p_ == '\\') {
        if (!Escape()) return Fail(JsonError::Syntax);
        continue;
      }
      u32 n = Utf8Length(p_, end_);
      if (n == 0) return Fail(JsonError::Syntax);
      p_ += n;
    }
    if (p_ == end_) return Fail(JsonError::Syntax);
    ++p_;
    return true;
  }

  bool Escape() {
    ++p_;
    if (p_ == end_) return false;
    if (*p_ == 'u') {
      for (int i = 0; i < 4; ++i) {
        ++p_;
        if (p_ == end_ || HexValue(*p_) < 0) return false;
      }
      ++p_;
      return true;
    }
    for (const char* e = "\"\\/bfnrt"; *e != 0; ++e) {
      if (*p_ == static_cast<u8>(*e)) {
        ++p_;
        return true;
      }
    }
    return false;
  }

  bool Literal(const char* word) {
    for (; *word != 0; ++word) {
      if (!Eat(static_cast<u8>(*word))) return Fail(JsonError::Syntax);
    }
    return true;
  }
  bool Eat(u8 c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  void SkipSpace() {
    while (p_ != end_ && IsSpace(*p_)) ++p_;
  }
  u32 Offset() const { return static_cast<u32>(p_ - begin_); }
  // Records the first error only (the innermost failure says where); false, for returning.
  bool Fail(JsonError error) {
    if (!failed_) error_ = JsonParseError{error, Offset()};
    failed_ = true;
    return false;
  }

  const u8* begin_;
  const u8* p_;
  const u8* end_;
  u32 max_depth_;
  bool failed_ = false;
  JsonParseError error_;
};

// Past the valid value at p: strings, containers and all, without recursion (the text is known
// to be valid, so brackets balance and strings end).
inline const u8* SkipValue(const u8* p, const u8* end) {
  u32 open = 0;
  do {
    switch (*p) {
      case '"':
        for (++p; *p != '"'; ++p) {
          if (*p == '\\') ++p;
        }
        ++p;
        break;
      case '{':
      case '[':
        ++open;
        ++p;
        break;
      case '}':
      case ']':
        --open;
        ++p;
        break;
      default:
        ++p;  // literals, numbers, whitespace, ',' and ':' between the members of a container
        if (open == 0) {
          while (p != end && !IsSpace(*p) && *p != ',' && *p != '}' && *p != ']') ++p;
        }
    }
  } while (open != 0);
  return p;
}
inline const u8* SkipSpace(const u8* p, const u8* end) {
  while (p != end && IsSpace(*p)) ++p;
  return p;
}

}  // namespace internal

// A value inside a validated document.
class Value {
 public:
  Value() = default;  // null, outside any document (for Result's default)

  Type type() const {
    switch (*p_) {
      case '{':
        return Type::kObject;
      case '[':
        return Type::kArray;
      case '"':
        return Type::kString;
      case 't':
      case 'f':
        return Type::kBool;
      case 'n':
        return Type::kNull;
      default:
        return Type::kNumber;
    }
  }
  bool IsNull() const { return type() == Type::kNull; }

  // ---- objects ----

  // The value of the member `name` (compared as written; see the top): None when there is no
  // such member; WrongType if this is not an object; DuplicateKey if the name appears twice.
  Result<Option<Value>, JsonError> Find(const char* name) const {
    if (type() != Type::kObject) return Err(JsonError::WrongType);
    Option<Value> found;
    const u8* p = internal::SkipSpace(p_ + 1, end_);
    while (*p != '}') {
      Value key(p, end_);
      p = internal::SkipSpace(internal::SkipValue(p, end_), end_) + 1;  // past the ':'
      p = internal::SkipSpace(p, end_);
      if (key.RawString().Equals(name)) {
        if (found.has_value()) return Err(JsonError::DuplicateKey);
        found = Value(p, end_);
      }
      p = internal::SkipSpace(internal::SkipValue(p, end_), end_);
      if (*p == ',') p = internal::SkipSpace(p + 1, end_);
    }
    return Ok(found);
  }

  // ---- arrays ----

  // The number of elements; 0 if this is not an array.
  u32 Size() const {
    u32 n = 0;
    ForEachElement([&n](const Value&) { ++n; });
    return n;
  }
  // Element i; None if there is none (or this is not an array).
  Option<Value> At(u32 i) const {
    Option<Value> out;
    u32 k = 0;
    ForEachElement([&](const Value& v) {
      if (k++ == i) out = v;
    });
    return out;
  }
  // Calls fn(Value) for each element in order; nothing if this is not an array.
  template <class Fn>
  void ForEachElement(Fn fn) const {
    if (type() != Type::kArray) return;
    const u8* p = internal::SkipSpace(p_ + 1, end_);
    while (*p != ']') {
      fn(Value(p, end_));
      p = internal::SkipSpace(internal::SkipValue(p, end_), end_);
      if (*p == ',') p = internal::SkipSpace(p + 1, end_);
    }
  }

  // ---- scalars ----

  Result<bool, JsonError> ReadBool() const {
    if (type() != Type::kBool) return Err(JsonError::WrongType);
    return Ok(*p_ == 't');
  }

  // A number as written ("-12.5e3"); empty Text if this is not a number.
  Text NumberText() const {
    if (type() != Type::kNumber) return {};
    bool integer = false;
    return Text{reinterpret_cast<const char*>(p_), internal::ScanNumber(p_, end_, &integer)};
  }
  // An integer number (no fraction or exponent: "1.0" and "1e3" are WrongType).
  Result<i64, JsonError> ReadI64() const { return ParseI64(NumberText()); }
  Result<u64, JsonError> ReadU64() const { return ParseU64(NumberText()); }

  // A string's contents as written, escapes and all; empty Text if this is not a string.
  Text RawString() const {
    if (type() != Type::kString) return {};
    const u8* q = p_ + 1;
    while (*q != '"') q += *q == '\\' ? 2 : 1;
    return Text{reinterpret_cast<const char*>(p_ + 1), static_cast<u32>(q - p_ - 1)};
  }
  // A string with its escapes decoded, as UTF-8.
  Result<String, JsonError> ReadString() const {
    if (type() != Type::kString) return Err(JsonError::WrongType);
    return Unescape(RawString());
  }

  // ---- integers from text: -?(0|[1-9][0-9]*), nothing else (no sign +, no spaces) ----

  static Result<i64, JsonError> ParseI64(Text text) {
    bool negative = text.size > 0 && text.data[0] == '-';
    Text digits{text.data + (negative ? 1 : 0), text.size - (negative ? 1 : 0)};
    auto magnitude = ParseDigits(digits, negative ? u64{1} << 63 : (u64{1} << 63) - 1);
    if (magnitude.is_err()) return Err(magnitude.error());
    u64 m = magnitude.value();
    return Ok(negative ? static_cast<i64>(0 - m) : static_cast<i64>(m));
  }
  static Result<u64, JsonError> ParseU64(Text text) { return ParseDigits(text, ~u64{0}); }

 private:
  friend Result<Value, JsonParseError> Parse(const u8*, u32, u32);
  Value(const u8* p, const u8* end) : p_(p), end_(end) {}

  // 0|[1-9][0-9]* up to `limit`.
  static Result<u64, JsonError> ParseDigits(Text text, u64 limit) {
    if (text.size == 0 || (text.data[0] == '0' && text.size > 1)) return Err(JsonError::WrongType);
    u64 value = 0;
    for (u32 i = 0; i < text.size; ++i) {
      if (!internal::IsDigit(static_cast<u8>(text.data[i]))) return Err(JsonError::WrongType);
    }
    for (u32 i = 0; i < text.size; ++i) {
      u64 digit = static_cast<u64>(text.data[i] - '0');
      if (value > (limit - digit) / 10) return Err(JsonError::OutOfRange);
      value = value * 10 + digit;
    }
    return Ok(value);
  }

  // The contents of a valid string with \" \\ \/ \b \f \n \r \t \uXXXX decoded.
  static Result<String, JsonError> Unescape(Text raw) {
    String out;
    const char* p = raw.data;
    const char* end = raw.data + raw.size;
    while (p != end) {
      const char* run = p;
      while (p != end && *p != '\\') ++p;
      out.Append(run, static_cast<u32>(p - run));
      if (p == end) break;
      char e = p[1];
      p += 2;
      if (e != 'u') {
        char c = Unescaped(e);
        out.Append(&c, 1);
        continue;
      }
      u32 unit = Hex4(p);
      p += 4;
      u32 code = unit;
      if (unit >= 0xdc00 && unit <= 0xdfff) return Err(JsonError::BadString);  // a lone low half
      if (unit >= 0xd800 && unit <= 0xdbff) {  // a high half: a low half must follow
        if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return Err(JsonError::BadString);
        u32 low = Hex4(p + 2);
        if (low < 0xdc00 || low > 0xdfff) return Err(JsonError::BadString);
        code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        p += 6;
      }
      AppendUtf8(out, code);
    }
    return Ok(Move(out));
  }
  static char Unescaped(char e) {
    switch (e) {
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return e;  // " \ /
    }
  }
  static u32 Hex4(const char* p) {
    u32 v = 0;
    for (int i = 0; i < 4; ++i) v = v << 4 | static_cast<u32>(internal::HexValue(p[i]));
    return v;
  }
  static void AppendUtf8(String& out, u32 code) {
    char b[4];
    u32 n = 0;
    if (code < 0x80) {
      b[n++] = static_cast<char>(code);
    } else if (code < 0x800) {
      b[n++] = static_cast<char>(0xc0 | code >> 6);
      b[n++] = static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      b[n++] = static_cast<char>(0xe0 | code >> 12);
      b[n++] = static_cast<char>(0x80 | (code >> 6 & 0x3f));
      b[n++] = static_cast<char>(0x80 | (code & 0x3f));
    } else {
      b[n++] = static_cast<char>(0xf0 | code >> 18);
      b[n++] = static_cast<char>(0x80 | (code >> 12 & 0x3f));
      b[n++] = static_cast<char>(0x80 | (code >> 6 & 0x3f));
      b[n++] = static_cast<char>(0x80 | (code & 0x3f));
    }
    out.Append(b, n);
  }

  static constexpr u8 kNull[] = {'n', 'u', 'l', 'l'};
  const u8* p_ = kNull;
  const u8* end_ = kNull + 4;
};

// Checks `size` bytes of text as one JSON document and answers its top value (a view: the text
// must outlive it).
inline Result<Value, JsonParseError> Parse(const u8* text, u32 size,
                                           u32 max_depth = kDefaultMaxDepth) {
  internal::Validator validator(text, text + size, max_depth);
  auto start = validator.Document();
  if (start.is_err()) return Err(start.error());
  return Ok(Value(text + start.value(), text + size));
}
inline Result<Value, JsonParseError> Parse(const Bytes& text, u32 max_depth = kDefaultMaxDepth) {
  return Parse(text.data(), text.size(), max_depth);
}

// ---- writing ----

// A compact JSON document, built in order: BeginObject, Key, a value, …, End. Commas are put in
// by the writer; the caller keeps the structure right (it is not checked).
class Writer {
 public:
  Writer& BeginObject() { return Open('{'); }
  Writer& BeginArray() { return Open('['); }
  Writer& End() {
    if (depth_ == 0) Trap();  // more Ends than Begins: a bug in the caller
    char c = closers_[--depth_];
    out_.Append(&c, 1);
    need_comma_ = true;
    return *this;
  }
  // A member's name; its value comes next.
  Writer& Key(const char* name) {
    Separate();
    Quoted(name, static_cast<u32>(StrLen(name)));
    out_.Append(":");
    need_comma_ = false;
    return *this;
  }
  Writer& Str(const char* text, u32 size) {
    Separate();
    Quoted(text, size);
    return *this;
  }
  Writer& Str(const char* text) { return Str(text, static_cast<u32>(StrLen(text))); }
  Writer& Str(const String& text) { return Str(text.data(), text.size()); }
  Writer& U64(u64 value) {
    char digits[20];
    u32 n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    Separate();
    while (n > 0) out_.Append(&digits[--n], 1);
    return *this;
  }
  Writer& Bool(bool value) { return Raw(value ? "true" : "false"); }
  Writer& Null() { return Raw("null"); }
  // Text that is already JSON, as one value.
  Writer& Raw(const char* json) {
    Separate();
    out_.Append(json);
    return *this;
  }
  Writer& Raw(const String& json) {
    Separate();
    out_.Append(json.data(), json.size());
    return *this;
  }

  const String& text() const { return out_; }
  Bytes TakeBytes() const { return Bytes(reinterpret_cast<const u8*>(out_.data()), out_.size()); }

 private:
  static constexpr u32 kMaxDepth = 32;
  Writer& Open(char c) {
    Separate();
    out_.Append(&c, 1);
    if (depth_ == kMaxDepth) Trap();  // a request this deep is a bug in the caller
    closers_[depth_++] = c == '{' ? '}' : ']';
    need_comma_ = false;
    return *this;
  }
  void Separate() {
    if (need_comma_) out_.Append(",");
    need_comma_ = true;
  }
  // RFC 8259 §7: '"', '\' and control characters escaped; the rest (UTF-8) as it is.
  void Quoted(const char* text, u32 size) {
    out_.Append("\"");
    for (u32 i = 0; i < size; ++i) {
      u8 c = static_cast<u8>(text[i]);
      if (c == '"' || c == '\\') {
        char e[2] = {'\\', static_cast<char>(c)};
        out_.Append(e, 2);
      } else if (c == '\n') {
        out_.Append("\\n");
      } else if (c == '\r') {
        out_.Append("\\r");
      } else if (c == '\t') {
        out_.Append("\\t");
      } else if (c < 0x20) {
        char e[6] = {'\\', 'u', '0', '0', "0123456789abcdef"[c >> 4], "0123456789abcdef"[c & 15]};
        out_.Append(e, 6);
      } else {
        out_.Append(&text[i], 1);
      }
    }
    out_.Append("\"");
  }

  String out_;
  char closers_[kMaxDepth]{};
  u32 depth_ = 0;
  bool need_comma_ = false;
};

}  // namespace phat::sdk::json
