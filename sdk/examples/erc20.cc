// ERC-20 with ink!'s exact semantics (ink! 5 erc20 example): the same selectors, storage keys,
// events, errors and answers, byte for byte (shared/ink-vectors/erc20_v5.trace.json).
#include <phat/sdk.h>

using namespace phat::sdk;

PHAT_ENUM(Error, InsufficientBalance, InsufficientAllowance);

namespace events {
// Emitted when tokens move, including zero-value transfers; `from` is None when minted.
struct Transfer {
  Topic<Option<AccountId>> from;
  Topic<Option<AccountId>> to;
  Balance value = 0;
  PHAT_EVENT(Transfer, from, to, value);
};
// Emitted when `spender` may withdraw up to `value` from `owner`.
struct Approval {
  Topic<AccountId> owner;
  Topic<AccountId> spender;
  Balance value = 0;
  PHAT_EVENT(Approval, owner, spender, value);
};
}  // namespace events

struct Erc20 {
  Balance total_supply = 0;
  Mapping<AccountId, Balance> balances;
  Mapping<Tuple<AccountId, AccountId>, Balance> allowances;
  PHAT_FIELDS(Erc20, total_supply, balances, allowances);

  void New(Balance supply) {
    AccountId caller = env::Caller();
    balances.Insert(caller, supply);
    env::Emit(events::Transfer{.from = None, .to = Some(caller), .value = supply});
    total_supply = supply;
  }

  Balance TotalSupply() const { return total_supply; }
  Balance BalanceOf(AccountId owner) const { return balances.Get(owner).value_or(0); }
  Balance Allowance(AccountId owner, AccountId spender) const {
    return allowances.Get({owner, spender}).value_or(0);
  }

  Result<void, Error> Transfer(AccountId to, Balance value) {
    return TransferFromTo(env::Caller(), to, value);
  }

  Result<void, Error> Approve(AccountId spender, Balance value) {
    AccountId owner = env::Caller();
    allowances.Insert({owner, spender}, value);
    env::Emit(events::Approval{.owner = owner, .spender = spender, .value = value});
    return Ok();
  }

  Result<void, Error> TransferFrom(AccountId from, AccountId to, Balance value) {
    AccountId caller = env::Caller();
    Balance allowance = Allowance(from, caller);
    if (allowance < value) return Err(Error::InsufficientAllowance);
    Result<void, Error> moved = TransferFromTo(from, to, value);
    if (moved.is_err()) return moved;
    allowances.Insert({from, caller}, allowance - value);
    return Ok();
  }

 private:
  Result<void, Error> TransferFromTo(const AccountId& from, const AccountId& to, Balance value) {
    Balance from_balance = BalanceOf(from);
    if (from_balance < value) return Err(Error::InsufficientBalance);
    balances.Insert(from, from_balance - value);
    Balance to_balance = BalanceOf(to);
    if (to_balance + value < to_balance) Trap();  // ink!: checked_add(..).unwrap()
    balances.Insert(to, to_balance + value);
    env::Emit(events::Transfer{.from = Some(from), .to = Some(to), .value = value});
    return Ok();
  }
};

PHAT_CONTRACT(
    Erc20,
    Constructor<&Erc20::New>("new")
        .Args("total_supply")
        .Docs("Creates a new ERC-20 contract with the specified initial supply."),
    Message<&Erc20::TotalSupply>("total_supply").Docs("Returns the total token supply."),
    Message<&Erc20::BalanceOf>("balance_of")
        .Args("owner")
        .Docs("Returns the account balance for the specified `owner`, 0 if there is none."),
    Message<&Erc20::Allowance>("allowance")
        .Args("owner", "spender")
        .Docs("Returns the amount which `spender` is still allowed to withdraw from `owner`."),
    Message<&Erc20::Transfer>("transfer")
        .Args("to", "value")
        .Docs("Transfers `value` tokens from the caller's account to `to`."),
    Message<&Erc20::Approve>("approve")
        .Args("spender", "value")
        .Docs("Allows `spender` to withdraw from the caller's account up to `value`."),
    Message<&Erc20::TransferFrom>("transfer_from")
        .Args("from", "to", "value")
        .Docs("Transfers `value` tokens on behalf of `from` to `to`, within the allowance."),
    Event<events::Transfer>(), Event<events::Approval>());
