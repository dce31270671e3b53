// Reference vectors for the SDK's Ethereum headers (sdk/include/phat/sdk/eth/), made by ethers
// when the test runs, and the check of what a contract signed with its derived key.
//
//   node eth_vectors.mjs vectors OUT.json   RLP, ABI and transaction vectors for
//                                            eth_test.cc (native) and eth_runtime_test.cc
//   node eth_vectors.mjs check IN.json      IN.json is what eth_runtime_test.cc wrote: the key a
//                                            contract derived and transactions it signed with it.
//                                            Fails unless ethers reads each transaction as sent
//                                            from the address the contract reported, and signs
//                                            the same transaction with the same secret to the same
//                                            bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { ethers } from 'ethers';

const { hexlify, toBeHex, toBeArray, encodeRlp, decodeRlp, id, keccak256, Transaction } = ethers;
const coder = ethers.AbiCoder.defaultAbiCoder();

// A fixed secret, so that the native test can compare signed bytes without a host.
const kSecret = id('phat eth sdk test key');

const bytes = (n, f) => hexlify(Uint8Array.from({ length: n }, (_, i) => f(i)));
const word = (v) => toBeHex(v, 32);

// ---- RLP ----
const nested = (depth) => (depth === 0 ? '0x01' : [nested(depth - 1)]);
function rlpVectors() {
  const strings = ['0x', '0x00', '0x01', '0x7f', '0x80', '0xff', '0x0400', bytes(55, (i) => i + 1),
    bytes(56, (i) => i + 1), bytes(255, (i) => i), bytes(256, (i) => i), bytes(1024, (i) => i * 7)];
  const lists = [[], ['0x'], ['0x00', '0x7f', '0x80'], [[], [[]], [[], [[]]]],
    [bytes(53, () => 0x11)],  // payload 54 + 1 = 55: the last short list
    [bytes(54, () => 0x11)],  // payload 56: the first long one
    [['0x0102', ['0x03']], bytes(60, () => 0x22), []],
    nested(16)];  // as deep as the SDK decodes by default
  const values = [...strings, ...lists].map((value) => ({ value, rlp: encodeRlp(value) }));
  const uints = [0n, 1n, 127n, 128n, 255n, 256n, 1024n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 128n,
    2n ** 256n - 1n].map((v) => ({ value: v.toString(), rlp: encodeRlp(toBeArray(v)) }));
  // Malformed input and the error the SDK gives; ethers_accepts records what ethers' decoder
  // makes of it (it is laxer about non-canonical forms).
  const bad = [
    ['0x', 'Truncated'], ['0x81', 'Truncated'], ['0xb838' + '00'.repeat(55), 'Truncated'],
    ['0xc2c1', 'Truncated'], ['0x8100', 'NonCanonical'], ['0x817f', 'NonCanonical'],
    ['0xb80100', 'NonCanonical'], ['0xb90038' + '00'.repeat(56), 'NonCanonical'],
    ['0xf800', 'NonCanonical'], ['0x0000', 'TrailingBytes'], ['0xc0c0', 'TrailingBytes'],
    ['0xbfffffffffffffffff', 'Truncated'],
    [encodeRlp(nested(17)), 'TooDeep'],  // 17 lists: deeper than the default 16
  ].map(([hex, error]) => {
    let ethersAccepts = true;
    try { decodeRlp(hex); } catch { ethersAccepts = false; }
    return { hex, error, ethers_accepts: ethersAccepts };
  });
  return { values, uints, bad };
}

// ---- U256 ----
function u256Vectors() {
  return [0n, 1n, 9n, 10n, 999999999n, 1000000000n, 10n ** 18n, 2n ** 64n - 1n, 2n ** 64n,
    2n ** 128n + 12345n, 10n ** 77n, 2n ** 256n - 1n].map((v) => ({
    decimal: v.toString(), hex: ethers.toQuantity(v), be: word(v),
  }));
}

// ---- ABI ----
const kToken = '0x' + '1f'.repeat(20);
const kAlice = ethers.getAddress('0x00000000000000000000000000000000000a11ce');
const kBob = ethers.getAddress('0xb0b0000000000000000000000000000000000b0b');
const kErc20 = new ethers.Interface([
  'function transfer(address to, uint256 amount) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function name() view returns (string)',
  'function decimals() view returns (uint8)',
]);

function abiVectors() {
  const signatures = ['transfer(address,uint256)', 'balanceOf(address)',
    'approve(address,uint256)', 'transferFrom(address,address,uint256)', 'name()']
    .map((signature) => ({ signature, selector: id(signature).slice(0, 10) }));
  const calls = [
    { fn: 'transfer', args: [kBob, 10n ** 18n] },
    { fn: 'balanceOf', args: [kAlice] },
    { fn: 'approve', args: [kBob, 2n ** 256n - 1n] },
  ].map(({ fn, args }) => ({
    fn, to: args[0], amount: args.length > 1 ? word(args[1]) : null,
    selector: kErc20.getFunction(fn).selector, data: kErc20.encodeFunctionData(fn, args),
  }));
  // A tuple of every type the SDK knows, in both orders of static and dynamic values.
  const types = ['uint256', 'address', 'bool', 'bytes', 'string', 'bytes32'];
  const tuples = [
    [12345n, kAlice, true, '0x', '', id('zero')],
    [2n ** 256n - 1n, kBob, false, bytes(33, (i) => i), 'hello, wörld ✓ 𝄞', id('x')],
    [0n, kToken, true, bytes(64, (i) => 255 - i), 'a'.repeat(100), '0x' + '00'.repeat(32)],
  ].map((values) => ({
    values: values.map((v) => (typeof v === 'bigint' ? word(v) : v)),
    encoded: coder.encode(types, values),
  }));
  const results = {
    balance: coder.encode(['uint256'], [123456789n * 10n ** 18n]),
    ok: coder.encode(['bool'], [true]),
    name: coder.encode(['string'], ['Wrapped Ether']),
    decimals: coder.encode(['uint8'], [18]),
  };
  const good = coder.encode(['bytes'], ['0x0102']).slice(2);
  const w = (v) => word(v).slice(2);
  const bad = [
    { types: ['uint256'], hex: '0x' + '00'.repeat(31), error: 'Truncated' },
    { types: ['bytes'], hex: '0x' + w(64n) + w(1n), error: 'BadOffset' },
    { types: ['bytes'], hex: '0x' + w(2n ** 255n) + w(1n), error: 'BadOffset' },
    { types: ['bytes'], hex: '0x' + w(32n) + w(2n ** 64n), error: 'BadLength' },
    { types: ['bytes'], hex: '0x' + w(32n) + w(33n) + '00'.repeat(33), error: 'Truncated' },
    { types: ['string'], hex: '0x' + w(32n) + w(33n) + 'ff'.repeat(32), error: 'BadLength' },
    { types: ['string'], hex: '0x' + w(32n) + w(2n) + 'c328' + '00'.repeat(30), error: 'InvalidUtf8' },
    { types: ['string'], hex: '0x' + w(32n) + w(3n) + 'eda080' + '00'.repeat(29), error: 'InvalidUtf8' },
    { types: ['address'], hex: '0x' + '01' + '00'.repeat(11) + '11'.repeat(20), error: 'BadPadding' },
    { types: ['bool'], hex: '0x' + w(2n), error: 'NotABool' },
    { types: ['uint8'], hex: '0x' + w(256n), error: 'OutOfRange' },
    { types: ['bytes'], hex: '0x' + good, error: null },
  ].map((v) => {
    let ethersAccepts = true;
    try {
      // ethers defers a value's error until the value is read
      const result = coder.decode(v.types, v.hex);
      for (let i = 0; i < result.length; i++) void result[i];
    } catch { ethersAccepts = false; }
    return { ...v, ethers_accepts: ethersAccepts };
  });
  return { signatures, calls, tuples, results, bad };
}

// ---- transactions ----
const transferData = kErc20.encodeFunctionData('transfer', [kBob, 5n * 10n ** 17n]);
export function transactions() {
  return [
    { name: 'legacy mainnet', type: 0, chainId: 1n, nonce: 0, gasPrice: 20n * 10n ** 9n,
      gasLimit: 21000n, to: kBob, value: 10n ** 18n, data: '0x' },
    { name: 'legacy erc20 transfer', type: 0, chainId: 11155111n, nonce: 7, gasPrice: 1n,
      gasLimit: 60000n, to: kToken, value: 0n, data: transferData },
    { name: 'legacy creation', type: 0, chainId: 1337n, nonce: 300, gasPrice: 10n ** 9n,
      gasLimit: 3000000n, to: null, value: 0n, data: bytes(100, (i) => i) },
    { name: 'legacy pre-155', type: 0, chainId: 0n, nonce: 1, gasPrice: 2n, gasLimit: 21000n,
      to: kAlice, value: 1n, data: '0x' },
    { name: 'legacy huge chain id', type: 0, chainId: 2n ** 40n + 1n, nonce: 2n ** 32n,
      gasPrice: 2n ** 200n, gasLimit: 2n ** 63n, to: kAlice, value: 2n ** 256n - 1n, data: '0x00' },
    { name: '1559 erc20 transfer', type: 2, chainId: 11155111n, nonce: 42,
      maxPriorityFeePerGas: 1500000000n, maxFeePerGas: 30n * 10n ** 9n, gasLimit: 65000n,
      to: kToken, value: 0n, data: transferData },
    { name: '1559 mainnet value', type: 2, chainId: 1n, nonce: 0, maxPriorityFeePerGas: 0n,
      maxFeePerGas: 1n, gasLimit: 21000n, to: kBob, value: 123n, data: '0x' },
    { name: '1559 creation', type: 2, chainId: 1337n, nonce: 1, maxPriorityFeePerGas: 1n,
      maxFeePerGas: 2n, gasLimit: 500000n, to: null, value: 0n, data: bytes(60, (i) => 3 * i) },
  ];
}

// The fields as the tests read them: integers as 32-byte big-endian hex, except nonce,
// gas_limit and chain_id (u64 in the SDK).
function fieldsOf(t) {
  const out = { name: t.name, type: t.type, chain_id: t.chainId.toString(),
    nonce: t.nonce.toString(), gas_limit: t.gasLimit.toString(), to: t.to, value: word(t.value),
    data: t.data };
  if (t.type === 0) out.gas_price = word(t.gasPrice);
  else {
    out.max_priority_fee_per_gas = word(t.maxPriorityFeePerGas);
    out.max_fee_per_gas = word(t.maxFeePerGas);
  }
  return out;
}

function signWith(secret, t) {
  const { name, ...fields } = t;
  const tx = Transaction.from(fields);
  const signature = new ethers.SigningKey(secret).sign(tx.unsignedHash);
  tx.signature = signature;
  return { tx, signature };
}

function txVectors() {
  const key = new ethers.SigningKey(kSecret);
  const txs = transactions().map((t) => {
    const unsigned = Transaction.from((({ name, ...f }) => f)(t));
    const { tx, signature } = signWith(kSecret, t);
    return { ...fieldsOf(t), unsigned: unsigned.unsignedSerialized, signing_hash: tx.unsignedHash,
      // r ‖ s ‖ recovery id, as pink's ecdsa_sign_prehashed answers
      signature: ethers.concat([signature.r, signature.s, toBeHex(signature.yParity, 1)]),
      raw: tx.serialized, hash: tx.hash };
  });
  return { secret: kSecret, public_key: key.compressedPublicKey,
    address: ethers.computeAddress(kSecret), txs };
}

function check(file) {
  const got = JSON.parse(readFileSync(file, 'utf8'));
  const all = transactions();
  const failures = [];
  const expect = (what, actual, expected) => {
    if (actual.toLowerCase() !== expected.toLowerCase()) {
      failures.push(`${what}: got ${actual}, ethers says ${expected}`);
    }
  };
  expect('address of the derived secret', got.address, ethers.computeAddress(got.secret));
  expect('public key of the derived secret', got.public_key,
    new ethers.SigningKey(got.secret).compressedPublicKey);
  for (const s of got.signed) {
    const t = all.find((x) => x.name === s.name);
    if (!t) { failures.push(`no transaction named ${s.name}`); continue; }
    const parsed = Transaction.from(s.raw);
    expect(`${s.name}: sender`, got.address, parsed.from);
    expect(`${s.name}: hash`, s.hash, keccak256(s.raw));
    expect(`${s.name}: raw`, s.raw, signWith(got.secret, t).tx.serialized);
  }
  if (got.signed.length === 0) failures.push('no signed transactions to check');
  if (failures.length > 0) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  console.log(`ethers agrees: ${got.signed.length} transactions from ${got.address}`);
}

const [mode, file] = process.argv.slice(2);
if (mode === 'vectors' && file) {
  const vectors = { rlp: rlpVectors(), u256: u256Vectors(), abi: abiVectors(), tx: txVectors() };
  writeFileSync(file, JSON.stringify(vectors, null, 1));
} else if (mode === 'check' && file) {
  check(file);
} else {
  console.error('usage: node eth_vectors.mjs vectors OUT.json | check IN.json');
  process.exit(2);
}
