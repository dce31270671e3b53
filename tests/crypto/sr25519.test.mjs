// phat's sr25519 and polkadot-js's (@polkadot/util-crypto, pinned in package.json: schnorrkel
// compiled to wasm) agree, on fresh random seeds and messages each run: the public key of a seed,
// each other's signatures in both directions, hard derivation, and junction chain codes. A
// failure prints the seed and message, so the case can be replayed with the tool by hand.
//
// Run by ctest (sr25519_polkadot_js) with PHAT_SR25519_TOOL set to phat_sr25519_tool.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';

import { u8aToHex } from '@polkadot/util';
import {
  cryptoWaitReady,
  keyExtractPath,
  sr25519DeriveHard,
  sr25519PairFromSeed,
  sr25519Sign,
  sr25519Verify,
} from '@polkadot/util-crypto';

const tool = process.env.PHAT_SR25519_TOOL;
assert.ok(tool, 'set PHAT_SR25519_TOOL');

const phat = (...args) => execFileSync(tool, args, { encoding: 'utf8' }).trim();
const hex = (u8a) => u8aToHex(u8a).slice(2);
const bytes = (text) => new Uint8Array(Buffer.from(text, 'hex'));

await cryptoWaitReady();

// Messages from empty to longer than a STROBE block (166 bytes), so framing is exercised too.
const cases = [0, 1, 32, 200, 1000].map((size) => {
  const seed = randomBytes(32);
  const message = randomBytes(size);
  return { seed, message, pair: sr25519PairFromSeed(seed), what: `seed ${hex(seed)} message ${hex(message)}` };
});

test('public keys from seeds agree', () => {
  for (const { seed, pair, what } of cases) {
    assert.equal(phat('public', hex(seed)), hex(pair.publicKey), what);
  }
});

test('polkadot-js verifies phat signatures', () => {
  for (const { seed, message, pair, what } of cases) {
    const signature = bytes(phat('sign', hex(seed), hex(message)));
    assert.equal(signature.length, 64, what);
    assert.ok(sr25519Verify(message, signature, pair.publicKey), what);
    const other = Uint8Array.from([...message, 1]);
    assert.ok(!sr25519Verify(other, signature, pair.publicKey), what);
  }
});

test('phat verifies polkadot-js signatures', () => {
  for (const { message, pair, what } of cases) {
    const signature = sr25519Sign(message, pair);
    assert.equal(phat('verify', hex(pair.publicKey), hex(message), hex(signature)), 'true', what);
    const other = Uint8Array.from([...message, 1]);
    assert.equal(phat('verify', hex(pair.publicKey), hex(other), hex(signature)), 'false', what);
    const unmarked = Uint8Array.from(signature);
    unmarked[63] &= 0x7f;
    assert.equal(phat('verify', hex(pair.publicKey), hex(message), hex(unmarked)), 'false', what);
  }
});

test('hard derivation agrees', () => {
  for (const { seed, pair, what } of cases) {
    const chainCode = randomBytes(32);
    const derived = sr25519DeriveHard(pair, chainCode);
    assert.equal(phat('derive-hard', hex(seed), hex(chainCode)), hex(derived.publicKey),
      `${what} chain code ${hex(chainCode)}`);
  }
});

// Only junctions sp_core and polkadot-js read alike (sr25519.h lists where they part).
test('junction chain codes agree', () => {
  const junctions = ['Alice', 'Bob', 'phala', '0', '42', '18446744073709551615',
    'a junction whose SCALE encoding is longer than 32 bytes'];
  for (const junction of junctions) {
    const { path } = keyExtractPath(`//${junction}`);
    assert.equal(phat('chain-code', junction), hex(path[0].chainCode), junction);
  }
});
