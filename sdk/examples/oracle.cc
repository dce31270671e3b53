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

// The body's integer field `name`: the body must be one JSON object (json.h checks it all, nested
// at most 32 deep), with `name` once at its top level, an integer or a string holding exactly one
// (as JSON writes integers). Keys are compared as written, escapes and all.
Result<i64, Error> IntegerField(const Bytes& body, const char* name) {
  auto doc = json::Parse(body);
  if (doc.is_err() || doc.value().type() != json::Type::kObject) return Err(Error::InvalidJson);
  auto field = doc.value().Find(name);
  if (field.is_err()) return Err(Error::InvalidJson);  // a second "price": which one is meant?
  if (!field.value().has_value()) return Err(Error::NoPrice);
  const json::Value& value = *field.value();
  Result<i64, json::JsonError> number = Err(json::JsonError::WrongType);
  if (value.type() == json::Type::kNumber) number = value.ReadI64();
  // A quoted number as written between the quotes: "4\u0032" is not one.
  if (value.type() == json::Type::kString) number = json::Value::ParseI64(value.RawString());
  if (number.is_ok()) return Ok(number.value());
  return Err(number.error() == json::JsonError::OutOfRange ? Error::OutOfRange
                                                           : Error::NotAnInteger);
}

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
    Result<i64, Error> price = IntegerField(response.body, "price");
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
