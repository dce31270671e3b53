// ink! contract metadata as the `phat` CLI needs it: which constructors, messages and events a
// contract has, and how to turn a call written as JSON into the input bytes the contract reads
// (selector ‖ SCALE args, ABI.md §3), and its output and events back into JSON. Reads ink! 4
// (`"version": "4"`) and ink! 5 (`"version": 5`) metadata, bare or as a `.contract` bundle
// (metadata plus `source.wasm`); ink! 3 metadata (nested under "V3") is refused with a clear error.
// The JSON shapes of values are described in type_registry.h.
//
// Thread safety: a ContractMetadata is immutable after Parse; const use from any thread is safe.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/metadata/type_registry.h"

namespace phat::metadata {

using Selector = std::array<uint8_t, 4>;
using Topic = std::array<uint8_t, 32>;

struct Arg {
  std::string label;
  uint32_t type = 0;
  std::vector<std::string> display_name;  // e.g. {"AccountId"}
};

// A message or a constructor (constructors never mutate: `mutates` is false for them).
struct Message {
  std::string label;
  Selector selector{};
  std::vector<Arg> args;
  // MessageResult<T> / ConstructorResult<T> (Result<…, LangError>); absent if the metadata
  // names none, in which case the output must be empty.
  std::optional<uint32_t> return_type;
  bool payable = false;
  bool mutates = false;
  bool is_default = false;
  bool is_constructor = false;
  std::vector<std::string> docs;
};

struct EventArg {
  std::string label;
  uint32_t type = 0;
  bool indexed = false;  // emitted as a topic as well as in the data
};

struct Event {
  std::string label;
  std::vector<EventArg> args;
  // ink! 5: blake2b-256 of the signature, emitted as topic 0; absent for anonymous events and
  // in ink! 4, where the event is told by its index (its position in `events`) in the data.
  std::optional<Topic> signature_topic;
  std::string module_path;  // ink! 5 only
  std::vector<std::string> docs;
};

class ContractMetadata {
 public:
  // Metadata JSON or a whole `.contract` bundle.
  static Expected<ContractMetadata, std::string> Parse(const nlohmann::json& json);
  // Reads and parses a .json or .contract file.
  static Expected<ContractMetadata, std::string> FromFile(const std::filesystem::path& path);

  int version() const { return version_; }           // 4 or 5
  const std::string& name() const { return name_; }  // contract.name, "" if absent
  // The code from a .contract bundle's `source.wasm`; absent for bare metadata.
  const std::optional<Bytes>& wasm() const { return wasm_; }
  const TypeRegistry& types() const { return types_; }
  const std::vector<Message>& constructors() const { return constructors_; }
  const std::vector<Message>& messages() const { return messages_; }
  const std::vector<Event>& events() const { return events_; }

  const Message* FindMessage(std::string_view label) const;
  const Message* FindConstructor(std::string_view label) const;
  // The same, with an error for the user that lists the labels there are.
  Expected<const Message*, std::string> RequireMessage(std::string_view label) const;
  Expected<const Message*, std::string> RequireConstructor(std::string_view label) const;

  // selector ‖ SCALE(args). `args` is a JSON array in declaration order, or an object keyed by
  // argument label; a message without arguments also takes null. Errors name the argument and
  // the place inside it.
  Expected<Bytes, std::string> EncodeCall(const Message& message, const nlohmann::json& args) const;

  // One value of type `type_id`, the whole input (bytes left over are an error).
  Expected<nlohmann::json, std::string> DecodeValue(uint32_t type_id, ByteView bytes) const;
  // The output of a call or deploy: MessageResult<T> as {"Ok": T} or {"Err": LangError}.
  Expected<nlohmann::json, std::string> DecodeReturn(const Message& message, ByteView output) const;
  // An event as {"name": label, "args": {label: value, …}}. ink! 5: found by topics[0] (the
  // signature topic); ink! 4: by the variant index that starts the data.
  Expected<nlohmann::json, std::string> DecodeEvent(std::span<const Topic> topics,
                                                    ByteView data) const;

 private:
  bool IsInfallibleConstructorOk(uint32_t return_type, ByteView output) const;

  int version_ = 5;
  std::string name_;
  std::optional<Bytes> wasm_;
  TypeRegistry types_;
  std::vector<Message> constructors_;
  std::vector<Message> messages_;
  std::vector<Event> events_;
};

}  // namespace phat::metadata
