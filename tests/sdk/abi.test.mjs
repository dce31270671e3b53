// polkadot-js (@polkadot/api-contract, pinned in package.json) reads the ink! v5 metadata the C++
// SDK generates for erc20 and flipper, and encodes and decodes with it exactly the bytes ink!'s
// own contracts exchange (shared/ink-vectors/*_v5.trace.json).
//
// Run by ctest (sdk_metadata_abi) with PHAT_CONTRACTS_DIR and PHAT_INK_VECTORS set.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { Abi } from '@polkadot/api-contract';
import { compactStripLength, u8aToHex } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';

const contractsDir = process.env.PHAT_CONTRACTS_DIR;
const vectorsDir = process.env.PHAT_INK_VECTORS;
assert.ok(contractsDir && vectorsDir, 'set PHAT_CONTRACTS_DIR and PHAT_INK_VECTORS');

const load = (file) => JSON.parse(readFileSync(join(contractsDir, file), 'utf8'));
const trace = (file) => JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
const step = (t, what) => t.steps.find((s) => s.what === what);
const bytes = (hex) => new Uint8Array(Buffer.from(hex, 'hex'));

const ALICE = '0x' + 'aa'.repeat(32);
const BOB = '0x' + 'bb'.repeat(32);

// What a message's output decodes to: MessageResult<T> as JSON.
function decodeOutput(abi, message, hex) {
  const type = message.returnType.lookupName || message.returnType.type;
  return abi.registry.createType(type, bytes(hex)).toJSON();
}

test('erc20 metadata: version, selectors, events, storage', () => {
  const json = load('erc20.json');
  assert.equal(json.version, 5);
  const abi = new Abi(json);
  const selectors = Object.fromEntries(
    [...abi.constructors, ...abi.messages].map((m) => [m.identifier, m.selector.toHex()]),
  );
  assert.deepEqual(selectors, {
    new: '0x9bae9d5e',
    total_supply: '0xdb6375a8',
    balance_of: '0x0f755a56',
    allowance: '0x6a00165e',
    transfer: '0x84a15da1',
    approve: '0x681266a0',
    transfer_from: '0x0b396f18',
  });
  assert.equal(abi.findMessage('transfer').isMutating, true);
  assert.equal(abi.findMessage('balance_of').isMutating, false);
  assert.deepEqual(
    abi.events.map((e) => [e.identifier, e.signatureTopic]),
    [
      ['erc20::erc20::Transfer', '0xb5b61a3e6a21a16be4f044b517c28ac692492f73c5bfd3f60178ad98c767f4cb'],
      ['erc20::erc20::Approval', '0x1a35e726f5feffda199144f6097b2ba23713e549bfcbe090c0981e3bcdfbcc1d'],
    ],
  );
  const fields = json.storage.root.layout.struct.fields;
  assert.deepEqual(
    fields.map((f) => [f.name, f.layout.root?.root_key ?? f.layout.leaf.key]),
    [
      ['total_supply', '0x00000000'],
      ['balances', '0xe7dc2326'],
      ['allowances', '0xb721a0ec'],
    ],
  );
});

test('erc20: transfer(bob, 10) encodes to the trace input', () => {
  const abi = new Abi(load('erc20.json'));
  const t = trace('erc20_v5.trace.json');
  const [, encoded] = compactStripLength(abi.findMessage('transfer').toU8a([BOB, 10]));
  assert.equal(u8aToHex(encoded), '0x' + step(t, 'transfer(bob, 10)').input);
  const [, deploy] = compactStripLength(abi.findConstructor('new').toU8a([1000]));
  assert.equal(u8aToHex(deploy), '0x' + step(t, 'new(1000) by alice').input);
});

test('erc20: results and events from the trace decode', () => {
  const abi = new Abi(load('erc20.json'));
  const t = trace('erc20_v5.trace.json');
  const transfer = abi.findMessage('transfer');
  assert.deepEqual(decodeOutput(abi, transfer, '0000'), { ok: { ok: null } });
  assert.deepEqual(decodeOutput(abi, transfer, '000100'), { ok: { err: 'InsufficientBalance' } });
  assert.deepEqual(decodeOutput(abi, abi.findMessage('balance_of'), step(t, 'balance_of(bob)').result.data), {
    ok: 10,
  });
  assert.deepEqual(decodeOutput(abi, transfer, '0101'), { err: 'CouldNotReadInput' });

  const emitted = step(t, 'transfer(bob, 10)').events[0];
  const record = {
    topics: emitted.topics.map((hex) => abi.registry.createType('Hash', '0x' + hex)),
    event: { data: [null, bytes(emitted.data)] },
  };
  const decoded = abi.decodeEvent(record);
  assert.equal(decoded.event.identifier, 'erc20::erc20::Transfer');
  const [from, to, value] = decoded.args.map((a) => a.toJSON());
  assert.equal(abi.registry.createType('AccountId', from).toHex(), ALICE);
  assert.equal(abi.registry.createType('AccountId', to).toHex(), BOB);
  assert.equal(value, 10);
});

test('flipper metadata: selectors, constructor and message results', () => {
  const json = load('flipper.json');
  const abi = new Abi(json);
  assert.deepEqual(
    abi.constructors.map((c) => [c.identifier, c.selector.toHex()]),
    [
      ['new', '0x9bae9d5e'],
      ['new_default', '0x61ef7e3e'],
    ],
  );
  assert.deepEqual(
    abi.messages.map((m) => [m.identifier, m.selector.toHex(), m.isMutating]),
    [
      ['flip', '0x633aa551', true],
      ['get', '0x2f865bd9', false],
    ],
  );
  const t = trace('flipper_v5.trace.json');
  const [, deploy] = compactStripLength(abi.findConstructor('new').toU8a([true]));
  assert.equal(u8aToHex(deploy), '0x' + step(t, 'new(true)').input);
  assert.deepEqual(decodeOutput(abi, abi.findMessage('get'), step(t, 'get()').result.data), {
    ok: true,
  });
  assert.deepEqual(decodeOutput(abi, abi.findMessage('flip'), step(t, 'flip()').result.data), {
    ok: null,
  });
});

test('the .contract bundles carry the Wasm whose hash the metadata names', () => {
  for (const name of ['flipper', 'erc20', 'incrementer', 'flip_caller', 'oracle']) {
    const bundle = load(`${name}.contract`);
    const wasm = readFileSync(join(contractsDir, `${name}.wasm`));
    assert.equal(bundle.source.wasm, '0x' + wasm.toString('hex'), `${name}: source.wasm`);
    assert.equal(bundle.source.hash, blake2AsHex(wasm, 256), `${name}: source.hash`);
    assert.equal(load(`${name}.json`).source.hash, bundle.source.hash, `${name}: the .json's hash`);
    new Abi(bundle); // parses as a whole
  }
});

test('oracle metadata: the pink example and its results', () => {
  const abi = new Abi(load('oracle.json'));
  const fetch = abi.findMessage('fetch');
  assert.equal(fetch.isMutating, false);
  // Ok(Ok((4200, signature))): i64 LE, then a Vec<u8> of 64 bytes.
  const signature = '5a'.repeat(64);
  assert.deepEqual(decodeOutput(abi, fetch, '0000' + '6810000000000000' + '0101' + signature), {
    ok: { ok: [4200, '0x' + signature] },
  });
  // Ok(Err(InvalidJson)), and last() = Ok(Some(4200)).
  assert.deepEqual(decodeOutput(abi, fetch, '000105'), { ok: { err: 'InvalidJson' } });
  assert.deepEqual(decodeOutput(abi, abi.findMessage('last'), '00016810000000000000'), {
    ok: 4200,
  });
  assert.equal(abi.findMessage('store').isMutating, true);
  assert.deepEqual(
    abi.findMessage('set_source').args.map((a) => [a.name, a.type.type]),
    [['url', 'Text']],
  );
});
