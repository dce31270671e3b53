// A local Ethereum chain for phat's tests (docs/ETHEREUM.md, "Test chain"): ganache on loopback
// with a deployed ERC-20 (Token.sol, compiled here by solc), from the pinned npm packages
// (package.json), with no network beyond 127.0.0.1.
//
//   node tests/eth/chain.mjs [--port N] [--fund ADDRESS] [--watch-stdin]
//     compiles Token.sol, starts ganache (chain id 1337, the deterministic wallet, a block per
//     transaction), deploys the token from the first account (the deployer, who holds the whole
//     supply), funds ADDRESS if given, prints one JSON line
//       {"rpc":"http://127.0.0.1:PORT","chainId":1337,"token":"0x…","deployer":"0x…",
//        "deployerKey":"0x…","pid":N}
//     and serves until killed (SIGTERM/SIGINT), or, with --watch-stdin, until its stdin closes
//     too (so that a test that dies without killing it does not leave it behind).
//
//   node tests/eth/chain.mjs fund --rpc URL --token ADDRESS --key DEPLOYER_KEY --to ADDRESS
//       [--eth WEI] [--tokens UNITS]
//     sends ADDRESS ETH and tokens from the key's account (signed by ethers) and prints
//       {"ethTx":"0x…","ethRaw":"0x…","tokenTx":"0x…","tokenRaw":"0x…","block":N}
//     once both are mined (Raw: the signed transaction as sent). Default: 1 ETH and 1000 tokens
//     (of 18 decimals); 0 skips that transfer (its hash and raw transaction are then null).
//
// Everything goes to stdout as that one line; errors go to stderr with exit code 1.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import ganache from 'ganache';
import solc from 'solc';
import {ethers} from 'ethers';

const here = path.dirname(fileURLToPath(import.meta.url));
const kChainId = 1337;
const kSupply = 10n ** 9n * 10n ** 18n;  // a billion tokens of 18 decimals
const kDefaultEth = 10n ** 18n;
const kDefaultTokens = 1000n * 10n ** 18n;
// All that funding needs of the token's ABI (so that `fund` does not compile it again).
const kTransferAbi = ['function transfer(address to, uint256 value) returns (bool)'];

function parseArgs(argv) {
  const args = {mode: 'serve'};
  let i = 0;
  if (argv[0] === 'fund') {
    args.mode = 'fund';
    i = 1;
  }
  for (; i < argv.length; ++i) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--port': args.port = Number(value()); break;
      case '--fund':
      case '--to': args.to = ethers.getAddress(value()); break;
      case '--rpc': args.rpc = value(); break;
      case '--token': args.token = ethers.getAddress(value()); break;
      case '--eth': args.eth = BigInt(value()); break;
      case '--tokens': args.tokens = BigInt(value()); break;
      case '--key': args.key = value(); break;
      case '--watch-stdin': args.watchStdin = true; break;
      default: throw new Error(`unknown argument ${flag}`);
    }
  }
  return args;
}

// Token.sol → {abi, bytecode}, for the EVM ganache runs by default (shanghai: PUSH0 is there).
function compileToken() {
  const input = {
    language: 'Solidity',
    sources: {'Token.sol': {content: fs.readFileSync(path.join(here, 'Token.sol'), 'utf8')}},
    settings: {
      evmVersion: 'shanghai',
      optimizer: {enabled: true, runs: 200},
      outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object']}},
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const token = output.contracts['Token.sol'].Token;
  return {abi: token.abi, bytecode: '0x' + token.evm.bytecode.object};
}

// Sends ETH and tokens to `to` from `wallet` (signed here, so the raw transactions are known:
// a test may send one again); the hashes and raw transactions once mined.
async function fund(wallet, tokenAddress, to, eth, tokens) {
  const out = {ethTx: null, ethRaw: null, tokenTx: null, tokenRaw: null, block: null};
  const send = async (request) => {
    const raw = await wallet.signTransaction(await wallet.populateTransaction(request));
    const tx = await wallet.provider.broadcastTransaction(raw);
    out.block = (await tx.wait()).blockNumber;
    return [tx.hash, raw];
  };
  if (eth > 0n) [out.ethTx, out.ethRaw] = await send({to, value: eth});
  if (tokens > 0n) {
    const data = new ethers.Interface(kTransferAbi).encodeFunctionData('transfer', [to, tokens]);
    [out.tokenTx, out.tokenRaw] = await send({to: tokenAddress, data});
  }
  return out;
}

// The provider for a running chain: ganache's chain id is fixed, so ethers need not ask again,
// and it may poll quickly (instamine mines before it answers). No cache: ethers would otherwise
// answer a second eth_getTransactionCount within 250 ms from the first, and the next
// transaction would reuse a nonce.
function connect(url) {
  const network = new ethers.Network('ganache', kChainId);
  return new ethers.JsonRpcProvider(
      url, network, {staticNetwork: network, pollingInterval: 50, cacheTimeout: -1});
}

async function serve(args) {
  const {abi, bytecode} = compileToken();
  const server = ganache.server({
    logging: {quiet: true},
    wallet: {deterministic: true, totalAccounts: 4},
    chain: {chainId: kChainId, hardfork: 'shanghai'},
    miner: {instamine: 'eager'},
  });
  await server.listen(args.port ?? 0, '127.0.0.1');
  const rpc = `http://127.0.0.1:${server.address().port}`;
  const keys = server.provider.getInitialAccounts();
  const deployer = Object.keys(keys)[0];

  const provider = connect(rpc);
  const wallet = new ethers.Wallet(keys[deployer].secretKey, provider);
  const factory = new ethers.ContractFactory(abi, bytecode, wallet);
  const token = await factory.deploy('Phat Test Token', 'PTT', kSupply);
  await token.waitForDeployment();
  const tokenAddress = await token.getAddress();
  if (args.to) await fund(wallet, tokenAddress, args.to, kDefaultEth, kDefaultTokens);
  provider.destroy();

  const stop = async () => {
    await server.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (args.watchStdin) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
  process.stdout.write(JSON.stringify({
    rpc,
    chainId: kChainId,
    token: tokenAddress,
    deployer: ethers.getAddress(deployer),
    deployerKey: keys[deployer].secretKey,
    pid: process.pid,
  }) + '\n');
}

async function fundCommand(args) {
  if (!args.rpc || !args.token || !args.to || !args.key) {
    throw new Error('fund needs --rpc, --token, --to and --key');
  }
  const provider = connect(args.rpc);
  const out = await fund(new ethers.Wallet(args.key, provider), args.token, args.to, args.eth ?? kDefaultEth,
                         args.tokens ?? kDefaultTokens);
  provider.destroy();
  process.stdout.write(JSON.stringify(out) + '\n');
}

try {
  const args = parseArgs(process.argv.slice(2));
  await (args.mode === 'fund' ? fundCommand(args) : serve(args));
} catch (error) {
  process.stderr.write(`chain.mjs: ${error.stack || error}\n`);
  process.exit(1);
}
