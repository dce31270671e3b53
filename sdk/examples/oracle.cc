// Oracle: a price from a web source, fetched and signed inside the contract. The owner (who
// instantiated it) names the source with set_source(url); the query fetch() GETs it through pink,
// reads the integer field "price" of the JSON body ({"price": 4200} or {"price": "4200"}) and
// answers (value, signature), where the signature is sr25519 over SCALE(value) with a key that
// only this contract can derive in the cluster (pink::DeriveSr25519Key("oracle")); public_key()
// gives its public key, so anyone can check that a value came from this contract. store(value)
// (owner only) keeps a value on chain; last() reads it back.
//
// HTTP runs only in queries (a transaction gets 523 and reaches nothing), so fetch is a query and
// store a command: the owner fetches, checks, and stores.
#include <phat/sdk.h>

using namespace phat::sdk;

PHAT_ENUM(Error,
          NotOwner,      // only the owner may set the source or store a value
          NoSource,      // set_source has not been called yet
          NotInQuery,    // fetch runs only in a query: a transaction gets no network
          Unreachable,   // the source gave no response (pink's 523: refused, timed out, …)
          BadStatus,     // the source answered, but not 200
          InvalidJson,   // the body is not one well-formed JSON object
          NoPrice,       // … without a "price" field
          NotAnInteger,  // "price" is not an integer (nor a string holding one)
          OutOfRange);   // "price" does not fit an i64

namespace json {

// Enough JSON for an oracle, with no floats (contract code must not have them): the whole body is
// checked as one JSON object (RFC 8259), nested at most kMaxDepth deep, and the one integer field
// asked for is read from its top level. A key is compared as written, escapes and all.
class IntegerField {
 public:
  static constexpr u32 kMaxDepth = 32;

  IntegerField(const Bytes& text, const char* name) : p_(text.data()), end_(p_ + text.size()) {
    name_ = name;
    name_len_ = static_cast<u32>(StrLen(name));
  }

  Result<i64, Error> Read() {
    SkipSpace();
    if (!ObjectValue(1)) return Err(Error::InvalidJson);
    SkipSpace();
    if (p_ != end_) return Err(Error::InvalidJson);  // something after the object
    if (!found_) return Err(Error::NoPrice);
    if (field_error_) return Err(*field_error_);
    return Ok(value_);
  }

 private:
  bool ObjectValue(u32 depth) {
    if (depth > kMaxDepth || !Eat('{')) return false;
    SkipSpace();
    if (Eat('}')) return true;
    for (;;) {
      const u8* key = nullptr;
      u32 key_len = 0;
      if (!StringValue(&key, &key_len)) return false;
      SkipSpace();
      if (!Eat(':')) return false;
      SkipSpace();
      bool wanted = depth == 1 && IsName(key, key_len);
      if (wanted && found_) return false;  // a second "price": which one would be meant?
      if (wanted ? !Field() : !Value(depth)) return false;
      found_ = found_ || wanted;
      SkipSpace();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
      SkipSpace();
    }
  }

  bool ArrayValue(u32 depth) {
    if (depth > kMaxDepth || !Eat('[')) return false;
    SkipSpace();
    if (Eat(']')) return true;
    for (;;) {
      if (!Value(depth)) return false;
      SkipSpace();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
      SkipSpace();
    }
  }

  // Any value, skipped; `depth` is that of the container it is in.
  bool Value(u32 depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return ObjectValue(depth + 1);
      case '[':
        return ArrayValue(depth + 1);
      case '"':
        return StringValue(nullptr, nullptr);
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return NumberValue(nullptr, nullptr, nullptr);
    }
  }

  // The wanted field's value: an integer, or a string that holds exactly one. Anything else that
  // is valid JSON is NotAnInteger; invalid JSON is false.
  bool Field() {
    const u8* digits = nullptr;
    u32 len = 0;
    if (p_ != end_ && *p_ == '"') {
      if (!StringValue(&digits, &len)) return false;
      const u8* q = digits;
      bool integer = false;
      if (!ScanNumber(&q, digits + len, &integer) || q != digits + len || !integer) {
        field_error_ = Error::NotAnInteger;
        return true;
      }
    } else if (p_ != end_ && (*p_ == '-' || IsDigit(*p_))) {
      bool integer = false;
      if (!NumberValue(&digits, &len, &integer)) return false;
      if (!integer) {
        field_error_ = Error::NotAnInteger;
        return true;
      }
    } else {
      if (!Value(1)) return false;
      field_error_ = Error::NotAnInteger;
      return true;
    }
    Parse(digits, len);
    return true;
  }

  // -?(0|[1-9][0-9]*) into value_, or OutOfRange; the text is already known to match.
  void Parse(const u8* text, u32 len) {
    bool negative = text[0] == '-';
    u64 limit = negative ? u64{1} << 63 : (u64{1} << 63) - 1;
    u64 magnitude = 0;
    for (u32 i = negative ? 1 : 0; i < len; ++i) {
      u64 digit = text[i] - '0';
      if (magnitude > (limit - digit) / 10) {
        field_error_ = Error::OutOfRange;
        return;
      }
      magnitude = magnitude * 10 + digit;
    }
    value_ = negative ? static_cast<i64>(0 - magnitude) : static_cast<i64>(magnitude);
  }

  bool NumberValue(const u8** begin, u32* len, bool* integer) {
    const u8* start = p_;
    bool is_integer = false;
    if (!ScanNumber(&p_, end_, &is_integer)) return false;
    if (begin != nullptr) *begin = start;
    if (len != nullptr) *len = static_cast<u32>(p_ - start);
    if (integer != nullptr) *integer = is_integer;
    return true;
  }

  // A JSON number at *q (before `end`), moving *q past it; *integer: it has no fraction or
  // exponent.
  static bool ScanNumber(const u8** q, const u8* end, bool* integer) {
    const u8* s = *q;
    if (s != end && *s == '-') ++s;
    if (s == end || !IsDigit(*s)) return false;
    if (*s == '0') {
      ++s;
    } else {
      while (s != end && IsDigit(*s)) ++s;
    }
    *integer = true;
    if (s != end && *s == '.') {
      ++s;
      if (s == end || !IsDigit(*s)) return false;
      while (s != end && IsDigit(*s)) ++s;
      *integer = false;
    }
    if (s != end && (*s == 'e' || *s == 'E')) {
      ++s;
      if (s != end && (*s == '+' || *s == '-')) ++s;
      if (s == end || !IsDigit(*s)) return false;
      while (s != end && IsDigit(*s)) ++s;
      *integer = false;
    }
    *q = s;
    return true;
  }

  // A string; its contents between the quotes, as written, into (*begin, *len) if asked.
  bool StringValue(const u8** begin, u32* len) {
    if (!Eat('"')) return false;
    const u8* start = p_;
    while (p_ != end_ && *p_ != '"') {
      if (*p_ < 0x20) return false;  // control characters must be escaped
      if (*p_ == '\\') {
        ++p_;
        if (p_ == end_) return false;
        if (*p_ == 'u') {
          for (int i = 0; i < 4; ++i) {
            ++p_;
            if (p_ == end_ || !IsHexDigit(*p_)) return false;
          }
        } else if (!IsOneOf(*p_, "\"\\/bfnrt")) {
          return false;
        }
      }
      ++p_;
    }
    if (p_ == end_) return false;
    if (begin != nullptr) *begin = start;
    if (len != nullptr) *len = static_cast<u32>(p_ - start);
    ++p_;
    return true;
  }

  bool Literal(const char* word) {
    for (; *word != 0; ++word) {
      if (!Eat(static_cast<u8>(*word))) return false;
    }
    return true;
  }
  bool Eat(u8 c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  void SkipSpace() {
    while (p_ != end_ && IsOneOf(*p_, " \t\r\n")) ++p_;
  }
  bool IsName(const u8* key, u32 len) const {
    if (len != name_len_) return false;
    for (u32 i = 0; i < len; ++i) {
      if (key[i] != static_cast<u8>(name_[i])) return false;
    }
    return true;
  }
  static bool IsDigit(u8 c) { return c >= '0' && c <= '9'; }
  static bool IsHexDigit(u8 c) {
    return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  static bool IsOneOf(u8 c, const char* set) {
    for (; *set != 0; ++set) {
      if (c == static_cast<u8>(*set)) return true;
    }
    return false;
  }

  const u8* p_;
  const u8* end_;
  const char* name_;
  u32 name_len_;
  bool found_ = false;
  Option<Error> field_error_;
  i64 value_ = 0;
};

}  // namespace json

// "<what> <number>", for log lines (no printf in a contract).
String WithNumber(const char* what, u32 number) {
  char digits[10];
  u32 n = 0;
  do {
    digits[n++] = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number != 0);
  String out(what);
  while (n > 0) out.Append(&digits[--n], 1);
  return out;
}

struct Oracle {
  AccountId owner;
  String source;  // empty until set_source
  Option<i64> last;
  PHAT_FIELDS(Oracle, owner, source, last);

  // A price API's answer is small; a larger one fails the query (OutputBufferTooSmall).
  static constexpr u32 kMaxResponse = 64 * 1024;

  void New() { owner = env::Caller(); }

  Result<void, Error> SetSource(String url) {
    if (!(env::Caller() == owner)) return Err(Error::NotOwner);
    source = Move(url);
    return Ok();
  }
  String Source() const { return source; }

  Result<Tuple<i64, Bytes>, Error> Fetch() const {
    if (pink::IsInTransaction()) return Err(Error::NotInQuery);
    if (source.size() == 0) return Err(Error::NoSource);
    pink::HttpResponse response = pink::HttpGet(source, {}, kMaxResponse);
    if (response.status_code == 523) {
      pink::LogWarn("oracle: the source is unreachable");
      return Err(Error::Unreachable);
    }
    if (response.status_code != 200) {
      pink::LogWarn(WithNumber("oracle: the source answered HTTP ", response.status_code));
      return Err(Error::BadStatus);
    }
    Result<i64, Error> price = json::IntegerField(response.body, "price").Read();
    if (price.is_err()) return Err(price.error());
    i64 value = price.value();
    Bytes signature = pink::Sign(pink::SigType::Sr25519, SigningKey(), EncodeToBytes(value));
    return Ok(Tuple<i64, Bytes>(value, signature));
  }

  Bytes PublicKey() const { return pink::GetPublicKey(pink::SigType::Sr25519, SigningKey()); }

  Result<void, Error> Store(i64 value) {
    if (!(env::Caller() == owner)) return Err(Error::NotOwner);
    last = value;
    return Ok();
  }
  Option<i64> Last() const { return last; }

 private:
  // Derived anew by each call: it never leaves the contract, and never enters storage.
  static Bytes SigningKey() { return pink::DeriveSr25519Key("oracle"); }
};

// clang-format off: one item per line
PHAT_CONTRACT(Oracle,
              Constructor<&Oracle::New>("new")
                  .Docs("Creates an oracle owned by the caller, with no source yet."),
              Message<&Oracle::SetSource>("set_source").Args("url")
                  .Docs("Sets the URL fetch() reads (owner only)."),
              Message<&Oracle::Source>("source").Docs("The URL fetch() reads; empty if none."),
              Message<&Oracle::Fetch>("fetch")
                  .Docs("Query: GETs the source, reads its JSON field \"price\" (an integer) and "
                        "answers (price, sr25519 signature of SCALE(price)).\n"
                        "Verify with public_key(), context \"substrate\"."),
              Message<&Oracle::PublicKey>("public_key")
                  .Docs("The sr25519 public key fetch() signs with."),
              Message<&Oracle::Store>("store").Args("value")
                  .Docs("Stores a value on chain (owner only)."),
              Message<&Oracle::Last>("last").Docs("The value last stored, if any."));
// clang-format on
