// Lowering: one verified bytecode function to one WebAssembly function.
//
// The compiled function's signature is (fp: i32, params...) -> result, with i32 and
// f64 parameters as wasm types (references are i32 addresses): the typed native
// calling convention. An OSR variant is (fp: i32) -> result and starts at a loop
// header, reading every register from the frame the interpreter left.
//
// Registers live in wasm locals. The frame-slot contract (docs/architecture.md):
//   - registers of kind R are written through to their frame slot on every write,
//     so the collector finds every live reference in the frame (not in a leaf,
//     a function that reaches no safepoint: no call, allocation or publish);
//   - non-parameter R slots are zeroed on entry, parameter R slots written;
//   - before a helper that may allocate or trap, the frame publishes itself:
//     cells[TOP_FP_WORD] := fp, cells[TOP_PC_WORD] := pc.
// A call writes the callee's frame header over the call area (function index, this
// fp, the resume pc, -1) and calls through the shared table with native arguments:
//
//     local.get fp ; i32.const base+2 ; i32.add      ;; callee fp
//     local.get arg0 ... local.get argN
//     i32.const F ; call_indirect (type sig)
//
// Compiled code does not count calls or back-edges for tiering: counters steer
// tiering of interpreted code only. When the run is metered (runtime/limits.ts)
// it counts fuel at the same steps as the interpreter, charged to the same sites
// (countStep): every call, inlined or not, and every taken loop back-edge. A
// metered function that calls itself is then two wasm functions: its body,
// (fp, params..., fuel) -> (result, fuel), which its recursive calls call
// directly, and a wrapper of the signature above, in the table (fuelWrapper).

import { Kind, Op, OP_INFO, HEADER_SLOTS, instrLength, isAluOp, isCmpOp, isSuperOp, writtenKind, needsFrame, stepSite,
  type Alu, type AluOp, type Cmp } from '../../bytecode/opcodes.js';
import type { BcFunction, BcModule, ValKind } from '../../bytecode/module.js';
import { MATH1_FNS, MATH2_FNS, type MathBuiltin } from '../../bytecode/builtins.js';
import { helperSignature, type Helper } from '../../bytecode/helpers.js';
import { TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT, HOST_LIMIT_WORD, FUEL_WORD, CALLS_WORD, OSR_BUDGET_WORD } from '../../runtime/runtime.js';
import { CURSOR_WORD, LIMIT_WORD, HEADER_BYTES, KIND_MASK, MIN_BLOCK, ObjKind, CHAR_CACHE_SIZE, arrayKindFor, blockSizeFor, elementBytesOf, windowArrayMax, type ArrayKind, BARRIER_MASK, BARRIER_ONCE, BARRIER_ALWAYS, MARK_BIT } from '../../runtime/heap.js';
import { Hdr, headerByteOffset } from '../../runtime/frames.js';
import { buildCfg, compiledPcs, loopBlocks, Exit, type Block, type Cfg } from '../cfg.js';
import { allocated, fillingStores, forEachCheck, boundsKey, boundsProven, checksAtEntry, checksAtHeader, forgetRegister, type CheckFacts } from '../checks.js';
import { structure, type StructuredSink } from '../structure.js';
import { countedLoops, type CountedLoop } from '../counted-loops.js';
import { decodeCall, interpHelper, isPure, TIER1, type CallOperands } from '../backend.js';
import type { CompilePlan } from '../../runtime/tiering.js';
import { DeoptReason, isProfiledBranch, type Speculation } from '../../runtime/profile.js';
import { TrapCode } from '../helpers.js';
import { ValType, W, WasmModuleBuilder, type Global, type Label, type Local, type WasmFunctionBuilder } from './encoder.js';

export function wasmType(k: ValKind): ValType { return k === Kind.F ? ValType.F64 : ValType.I32; }

/** The wasm function type of a signature shape: (fp, params...) -> result. */
export function shapeType(mb: WasmModuleBuilder, params: readonly ValKind[], ret: ValKind | null): number {
  return mb.addType([ValType.I32, ...params.map(wasmType)], ret === null ? [] : [wasmType(ret)]);
}

/** The wasm types of a helper signature's side (`i` or `f` letters). */
function sigTypes(letters: string): ValType[] {
  return [...letters].map((c) => (c === 'f' ? ValType.F64 : ValType.I32));
}

/** The function type of helper h in module mb (bytecode/helpers.ts signatures). */
export function helperType(mb: WasmModuleBuilder, h: Helper): number {
  const [params, results] = helperSignature(h).split('>') as [string, string];
  return mb.addType(sigTypes(params), sigTypes(results));
}

/** Facts about the running VM that compiled code bakes in as constants. */
export interface LowerEnv {
  mod: BcModule;
  strAddrs: Int32Array;
  globalsSlot: number;
  frameSizes: Int32Array;
  /** May function f's body be inlined into its callers? (False for functions the
   *  tiering policy keeps interpreted, and with --no-inline.) */
  mayInline: (f: number) => boolean;
  /** Count fuel at every step (the run is metered: runtime/limits.ts). */
  fuel: boolean;
  /** Count every call, inlined or not, in cells[CALLS] (tier events are on:
   *  runtime.ts). */
  countCalls: boolean;
  /** The heap's one-unit string cache (Heap.charCache; 0 if none): `chr` of a
   *  code point below CHAR_CACHE_SIZE loads from it inline. */
  charCache: number;
  /** OSR code leaves its loop now and then to be entered again (OSR exits,
   *  runtime/osr.ts): the host first runs baseline code it replaces only at a
   *  later call. */
  osrExits: boolean;
}

/** A module importing the program's memory and its table of `tableSize` slots
 *  (every compiled function's and adapter's module). */
export function sharedModule(tableSize: number): WasmModuleBuilder {
  const mb = new WasmModuleBuilder();
  mb.importMemory('env', 'memory', 1);
  mb.importTable('env', 'table', tableSize);
  return mb;
}

/** The module of one compiled function (osrPc null) as `plan` says, or OSR
 *  entry, exporting it as `f` (what the backend instantiates, here or on the
 *  compiler thread). */
export function functionModule(env: LowerEnv, fn: BcFunction, osrPc: number | null, tableSize: number, plan: CompilePlan = TIER1): WasmModuleBuilder {
  const mb = sharedModule(tableSize);
  mb.exportFunction('f', lowerFunction(env, mb, fn, osrPc, plan).index);
  return mb;
}

/** One module of several whole functions, each as its plan says, exporting
 *  the i-th as `f<i>` (--tier=jit/opt compiles every function up front, in
 *  batches: why one instance for many, at Tiering.compileAll). The helpers
 *  any of them uses are imported once. With the module, each function's
 *  bytes of code. */
export function functionsModule(env: LowerEnv, fns: readonly BcFunction[], plans: readonly CompilePlan[], tableSize: number): { mb: WasmModuleBuilder; codeBytes: number[] } {
  const mb = sharedModule(tableSize);
  const planned = fns.map((fn, i) => planLowering(env, fn, null, plans[i]!));
  const helpers = importHelpers(mb, new Set(planned.flatMap((p) => [...p.used])));
  const codeBytes = planned.map((p, i) => {
    const before = mb.codeBytes();
    mb.exportFunction(`f${i}`, emitLowering(mb, p, helpers).index);
    return mb.codeBytes() - before;
  });
  return { mb, codeBytes };
}

/** Emit function `fn` into `mb`: the whole function (osrPc null) as `plan`
 *  says (tier 2 with its speculation, or tier 1), or an OSR variant (tier 1)
 *  entered at loop header osrPc (which may be 0) with only the frame pointer,
 *  every register read from the frame. */
export function lowerFunction(env: LowerEnv, mb: WasmModuleBuilder, fn: BcFunction, osrPc: number | null, plan: CompilePlan = TIER1): WasmFunctionBuilder {
  const planned = planLowering(env, fn, osrPc, plan);
  return emitLowering(mb, planned, importHelpers(mb, planned.used));
}

/** What is decided of a lowering before anything is emitted. */
interface PlannedLowering {
  env: LowerEnv; fn: BcFunction; osrPc: number | null; plan: CompilePlan;
  /** Tier 2's speculation (null for tier 1 and OSR code). */
  spec: Speculation | null;
  /** Tier 2 inlines its own recursive calls once. */
  selfInline: boolean;
  /** OSR code with exits: (fp, pc) -> result, entered at any of `also`. */
  exits: boolean;
  cfg: Cfg; also: number[]; used: Set<Helper>;
}

function planLowering(env: LowerEnv, fn: BcFunction, osrPc: number | null, plan: CompilePlan): PlannedLowering {
  const osr = osrPc !== null;
  const spec = osr ? null : plan.spec;
  const selfInline = !osr && spec !== null;
  // OSR code with exits takes the header to begin at too: (fp, pc) -> result.
  const exits = osr && env.osrExits;
  // Entered at any outermost loop header (OSR exits, below).
  const also = exits ? outermostHeaders(buildCfg(fn, osrPc)).map((b) => b.start).filter((pc) => pc !== osrPc).slice(0, MAX_ENTRY_HEADERS) : [];
  const cfg = exits ? buildCfg(fn, osrPc, undefined, also) : buildCfg(fn, osrPc ?? 0, spec?.branches);
  // Only the code compiled imports helpers: an OSR entry leaves out what runs
  // before its loop (nbody's main parses its argument there, and importing
  // parse_i built the string helpers' module for it), tier 2 what it guards.
  const within = compiledPcs(cfg);
  if (inlinedWords(env, fn, NOT_INLINED, spec, selfInline ? fn.index : null, within) > INLINE_TOTAL_WORDS) env = { ...env, mayInline: () => false };
  const used = helpersUsed(env, fn, NOT_INLINED, spec, selfInline ? fn.index : null, within);
  if (spec !== null) used.add(deoptHelper(fn.ret));
  if (!osr && plan.tierUpAfter > 0) used.add('tier_up');
  return { env, fn, osrPc, plan, spec, selfInline, exits, cfg, also, used };
}

/** Import `used` into mb (before its first function), by name. */
function importHelpers(mb: WasmModuleBuilder, used: Iterable<Helper>): Map<Helper, number> {
  const helpers = new Map<Helper, number>();
  for (const name of used) helpers.set(name, mb.importFunction('h', name, helperType(mb, name)));
  return helpers;
}

function emitLowering(mb: WasmModuleBuilder, p: PlannedLowering, helpers: ReadonlyMap<Helper, number>): WasmFunctionBuilder {
  const { env, fn, osrPc, plan, spec, selfInline, exits, cfg, also } = p;
  const osr = osrPc !== null;
  const threaded = env.fuel && !osr && callsItself(fn, spec);
  const type = osr ? mb.addType(exits ? [ValType.I32, ValType.I32] : [ValType.I32], fn.ret === null ? [] : [wasmType(fn.ret)])
             : threaded ? threadedType(mb, fn) : shapeType(mb, fn.params, fn.ret);
  const wb = mb.addFunction(type, osr ? `${fn.name}@${osrPc}` : threaded ? `${fn.name}.fuel` : fn.name);
  const tier = osr ? null : { spec, tierUp: plan.tierUpAfter > 0 ? mb.addGlobal(plan.tierUpAfter) : null };
  // Tier-1 code that counts toward tier 2 calls itself through the table, so
  // that a deep recursion begun in it moves to the tier-2 code once installed
  // (a direct call would keep it in tier 1 to its end); threaded code's calls
  // pass fuel along and stay direct.
  const viaTable = !osr && plan.tierUpAfter > 0 && !threaded;
  const root: RootCode = { fn: osr ? null : fn.index, selfInline, threaded, viaTable, tier2: spec, osrBudget: null };
  const ctx = new WasmFnLowering(env, mb, wb, fn, { kind: osr ? 'osr' : 'function', root }, helpers, tier);
  ctx.prologue();
  ctx.lowerBody(cfg, osr && also.length === 0 ? checksAtHeader(fn, osrPc) : undefined);
  wb.unreachable();
  wb.finish();
  return threaded ? fuelWrapper(mb, fn, wb.index) : wb;
}

// A metered function that calls itself passes the fuel counter to its own
// recursive calls as a last parameter, and gets it back as a last result, so
// that fib's calls keep it in a register: no write-back before the call, no
// read-back after it, no read at entry. What calls it from elsewhere (the
// table, adapters, other functions) calls a wrapper with the usual shape,
// which reads the cell, calls it, and writes the cell back:
//
//   (func $f (param fp args...) (result r)      ;; in the table
//     fp args... cells[FUEL] call $f.fuel       ;; -> r fuel
//     cells[FUEL] := fuel ; r)
//
// Inside $f.fuel the counter is still written back before everything else
// that may look at the cell (helpers, calls through the table), and read back
// after what may change it; a return hands it back instead of writing it.

/** Does fn call itself directly (a CALL of itself, or a CALLV tier 2 speculates
 *  is one)? */
function callsItself(fn: BcFunction, spec: Speculation | null): boolean {
  let calls = false;
  forEachInstr(fn, (op, pc) => { if (op === Op.CALL && fn.code[pc + 1] === fn.index) calls = true; });
  return calls || (spec !== null && [...spec.targets.values()].includes(fn.index));
}

/** The type of a function that passes fuel along: (fp, params..., fuel) -> (ret?, fuel). */
function threadedType(mb: WasmModuleBuilder, fn: BcFunction): number {
  const ret = fn.ret === null ? [] : [wasmType(fn.ret)];
  return mb.addType([ValType.I32, ...fn.params.map(wasmType), ValType.I32], [...ret, ValType.I32]);
}

//   fp args... cells[FUEL] call $f.fuel ; cells[FUEL] := fuel ; r
/** The usual-shaped entry of a function that passes fuel along (above). */
function fuelWrapper(mb: WasmModuleBuilder, fn: BcFunction, inner: number): WasmFunctionBuilder {
  const wb = mb.addFunction(shapeType(mb, fn.params, fn.ret), fn.name);
  for (let i = 0; i <= fn.params.length; i++) wb.localGet(wb.param(i));
  wb.i32Const(0); wb.load(W.I32_LOAD, 2, FUEL_WORD * 4);
  wb.call(inner);
  const fuel = wb.local(ValType.I32);
  wb.localSet(fuel);
  wb.i32Const(0); wb.localGet(fuel); wb.store(W.I32_STORE, 2, FUEL_WORD * 4);
  wb.finish();
  return wb;
}

/** Every pure operation, emitted after its operands are on the stack. */
interface AluEmit { emit: (wb: WasmFunctionBuilder, call: (h: Helper) => void) => void; helper?: Helper }
const op1 = (code: number): AluEmit => ({ emit: (wb) => wb.op(code) });
const ALU: Readonly<Record<Alu, AluEmit>> = {
  'copy': { emit: () => {} },
  'i32.add': op1(W.I32_ADD), 'i32.sub': op1(W.I32_SUB), 'i32.mul': op1(W.I32_MUL),
  'i32.div_s': op1(W.I32_DIV_S), 'i32.rem_s': op1(W.I32_REM_S),
  'i32.and': op1(W.I32_AND), 'i32.or': op1(W.I32_OR), 'i32.xor': op1(W.I32_XOR),
  'i32.shl': op1(W.I32_SHL), 'i32.shr_s': op1(W.I32_SHR_S), 'i32.shr_u': op1(W.I32_SHR_U),
  'i32.neg': { emit: (wb) => { wb.i32Const(-1); wb.op(W.I32_MUL); } },     // -x wraps as x * -1
  'i32.bnot': { emit: (wb) => { wb.i32Const(-1); wb.op(W.I32_XOR); } },
  'bool.not': op1(W.I32_EQZ),
  'i32.eq': op1(W.I32_EQ), 'i32.ne': op1(W.I32_NE), 'i32.lt_s': op1(W.I32_LT_S),
  'i32.le_s': op1(W.I32_LE_S), 'i32.gt_s': op1(W.I32_GT_S), 'i32.ge_s': op1(W.I32_GE_S),
  'f64.add': op1(W.F64_ADD), 'f64.sub': op1(W.F64_SUB), 'f64.mul': op1(W.F64_MUL), 'f64.div': op1(W.F64_DIV),
  'f64.rem': { emit: (wb, call) => remF64(wb, call), helper: 'fmod' },
  'f64.neg': op1(W.F64_NEG), 'f64.sqrt': op1(W.F64_SQRT),
  'f64.eq': op1(W.F64_EQ), 'f64.ne': op1(W.F64_NE), 'f64.lt': op1(W.F64_LT),
  'f64.le': op1(W.F64_LE), 'f64.gt': op1(W.F64_GT), 'f64.ge': op1(W.F64_GE),
  'f64.from_i32': op1(W.F64_CONVERT_I32_S),
  'i32.from_f64': { emit: (wb) => wb.truncSatF64S() },
};

/** x % y as JavaScript computes it, with x and y on the stack. wasm has no f64
 *  rem, and calling out for it costs a crossing each time (a `while x != 1.0`
 *  loop testing `x % 2.0` ran 2x plain JavaScript's time, where V8 keeps such
 *  an x an integer). When both are whole numbers that fit an i32 and y is not
 *  zero, i32 rem gives the same value; its sign is the dividend's (copysign:
 *  -4.0 % 2.0 is -0.0, and i32 rem of -2^31 by -1 is 0 in wasm, no trap).
 *  Everything else (NaN, infinities, fractions, large values) calls fmod. */
function remF64(wb: WasmFunctionBuilder, call: (h: Helper) => void): void {
  const x = wb.local(ValType.F64), y = wb.local(ValType.F64), xi = wb.local(ValType.I32), yi = wb.local(ValType.I32);
  wb.localSet(y); wb.localSet(x);
  wb.localGet(x); wb.truncSatF64S(); wb.localTee(xi); wb.op(W.F64_CONVERT_I32_S); wb.localGet(x); wb.op(W.F64_EQ);
  wb.localGet(y); wb.truncSatF64S(); wb.localTee(yi); wb.op(W.F64_CONVERT_I32_S); wb.localGet(y); wb.op(W.F64_EQ);
  wb.op(W.I32_AND); wb.localGet(yi); wb.i32Const(0); wb.op(W.I32_NE); wb.op(W.I32_AND);
  wb.if_(ValType.F64);
  wb.localGet(xi); wb.localGet(yi); wb.op(W.I32_REM_S); wb.op(W.F64_CONVERT_I32_S); wb.localGet(x); wb.op(W.F64_COPYSIGN);
  wb.else_();
  wb.localGet(x); wb.localGet(y); call('fmod');
  wb.end();
}

/** Compare-and-branch: the wasm comparison that is true when the jump is taken. */
const CMP: Readonly<Record<Cmp, number>> = {
  eq: W.I32_EQ, ne: W.I32_NE, lt: W.I32_LT_S, le: W.I32_LE_S, gt: W.I32_GT_S, ge: W.I32_GE_S,
};

/** Helpers that neither trap, nor run guest code, nor read the fuel cell (the
 *  write barrier's slow path, string equality, f64 math): the kept counter is
 *  not written back before them. A write-back there only made code: richards'
 *  tier-2 `run_richards` has 80 `remember` sites, 500 of its 23,600 bytes. */
const BLIND_TO_FUEL: ReadonlySet<Helper> = new Set<Helper>(['remember', 'streq', 'fmod', ...MATH1_FNS, ...MATH2_FNS]);

/** Math built-ins that are one wasm instruction (the others call their helper). */
const NATIVE_MATH: Partial<Record<MathBuiltin, number>> = { floor: W.F64_FLOOR, ceil: W.F64_CEIL, abs: W.F64_ABS };

/** What is being emitted: a whole function, an OSR entry, or a small function's
 *  body inlined at a call site (its frame pointer computed by the caller, its
 *  returns turned into a branch out of `ret` with the value in `result`). An
 *  inlined body that calls, allocates or publishes (`framed`) keeps a frame
 *  like a called one: its header, and its references written through. A leaf's
 *  frame is seen only where it traps (or polls fuel): `header` writes its
 *  header there, on the slow path, and nowhere else. */
type Mode =
  | { kind: 'function' | 'osr'; root: RootCode }
  | { kind: 'inline'; fp: Local; ret: Label; result: Local | null; framed: boolean; header: (() => void) | null; chain: InlineChain;
      root: RootCode; fuel: Local | null; fuelNow: (() => void) | null; room: number };

/** What every body of one compile shares, the root's and each inlined body's:
 *  one record, made by lowerFunction. */
interface RootCode {
  /** The function compiled whole, which recursive calls call directly; null
   *  in an OSR entry, whose wasm function takes only fp. */
  fn: number | null;
  /** Tier 2: copies of the root are inlined into itself (selfInlines). */
  selfInline: boolean;
  /** The root passes fuel along to its recursive calls (callsItself). */
  threaded: boolean;
  /** Tier-1 code counting toward tier 2 calls itself through the table. */
  viaTable: boolean;
  /** The root's speculation in tier-2 code: the targets its CALLVs, and
   *  those of the bodies it inlines, dispatch on (dispatchTargets). */
  tier2: Speculation | null;
  /** OSR code with exits: the budget of back-edges, counted by every body
   *  (set when the root's body is lowered: startOsrBudget). */
  osrBudget: Local | null;
}

/** What a whole-function compile adds to tier 1: tier 2's speculation (each
 *  guarded, leaving through deoptExit), or tier 1's countdown to tier 2. */
interface TierCode { spec: Speculation | null; tierUp: Global | null }

/** The helper that deoptimizes a frame of a function of result kind `ret`. */
function deoptHelper(ret: ValKind | null): Helper {
  return ret === null ? 'deopt_v' : ret === Kind.F ? 'deopt_f' : 'deopt_i';
}

/** Callees at most this long (bytecode words) are inlined; an inlined body
 *  inlines its own such callees too, down to INLINE_MAX_DEPTH bodies deep, while
 *  the bodies along one chain of inlined calls total at most INLINE_CHAIN_WORDS
 *  (which bounds the code one call site can grow into). A recursive call is no
 *  exception in tier 2: a small recursive function runs copies of itself
 *  inline, and the innermost copies call it directly (`root`). Tier 1 calls it
 *  (selfInlines): the copies made the first compile of a recursive function
 *  5-10x larger and its compile as much slower (binary-trees 6 ran 1.5x
 *  longer than interpreted), so the policy recompiles it in tier 2 once it has
 *  stayed hot (tiering.ts). */
/** Compiled NEWARR zeroes a payload of at most this many bytes with a loop,
 *  a longer one with memory.fill (newArray, zeroFill). */
const ZERO_FILL_LOOP_MAX = 256;
const INLINE_MAX_WORDS = 128;
const INLINE_MAX_DEPTH = 3;
const INLINE_CHAIN_WORDS = 3 * INLINE_MAX_WORDS;
/** A compile whose calls would inline more words than this in all inlines
 *  none (as HotSpot's C2 stops inlining past DesiredMethodLimit): every
 *  inlined body brings its own locals, and V8's compile of a function of
 *  thousands of inlined calls took seconds (5,000 calls of a 3-line function
 *  in one function: 3.5 s, and 10,000 passed V8's 50,000 locals), against
 *  0.1 s with the calls left calls. The benchmarks inline at most 2,724
 *  words into one function (richards' run_richards in tier 2). Checked
 *  before anything is emitted, so that every walk of the code (helpersUsed,
 *  the lowering) sees the same decision. */
const INLINE_TOTAL_WORDS = 8000;

function forEachInstr(fn: BcFunction, visit: (op: Op, pc: number) => void): void {
  for (let pc = 0; pc < fn.code.length; pc += instrLength(fn.code[pc] as Op)) visit(fn.code[pc] as Op, pc);
}

function isCall(op: Op): boolean { return op === Op.CALL || op === Op.CALLV || op === Op.CALLX; }

/** A counted loop's state (WasmFnLowering, "counted loops"): the value of
 *  v at which to take the slow path, and the loop's label. */
interface CountedLocals { stop: Local; loop: Label | null }

/** Does fn take no step of fuel, itself or through an extern (no call, no loop)? */
function takesNoStep(fn: BcFunction): boolean {
  let none = true;
  forEachInstr(fn, (op) => { if (OP_INFO[op].step !== undefined || op === Op.CALLX) none = false; });
  return none;
}

/** The calls whose callee's frame header is written as their loop is entered
 *  rather than at every call: loop header block -> pc of the call. A call
 *  qualifies when it is the only call (CALL, CALLV, CALLX) in the loop and a
 *  direct one. Every call of a function writes its header at the same place
 *  (the call area's first two slots: verify.ts), nothing but a call writes
 *  there (a callee's frame and everything it does lie above), and the three
 *  words (callee, caller fp, resume position) are the same at every
 *  iteration: so they are in memory whenever the callee's frame can be seen
 *  (a trace, the collector's walk, a return through the interpreter), as if
 *  written at the call. Saves three stores per call in a loop (about 1 ns of
 *  a compiled -> compiled call's 4). */
function hoistedHeaders(cfg: Cfg): Map<number, number> {
  const code = cfg.fn.code, hoisted = new Map<number, number>();
  for (const h of cfg.blocks) {
    if (!h.isLoopHeader) continue;
    const calls: number[] = [];
    for (const id of loopBlocks(cfg, h.id)) {
      const b = cfg.blocks[id]!;
      for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) if (isCall(code[pc] as Op)) calls.push(pc);
    }
    if (calls.length === 1 && code[calls[0]!] === Op.CALL) hoisted.set(h.id, calls[0]!);
  }
  return hoisted;
}

/** Registers whose every write is LOADI of one value: constants wherever read. */
function constantRegisters(fn: BcFunction): Map<number, number> {
  const value = new Map<number, number>();
  const varies = new Set<number>(fn.params.map((_, i) => i));
  forEachInstr(fn, (op, pc) => {
    OP_INFO[op].args.forEach((a, i) => {
      if (a !== 'wi' && a !== 'wf' && a !== 'wr' && a !== 'dst') return;
      const r = fn.code[pc + 1 + i]!;
      if (op === Op.LOADI && (!value.has(r) || value.get(r) === fn.code[pc + 2])) value.set(r, fn.code[pc + 2]!);
      else varies.add(r);
    });
  });
  for (const r of varies) value.delete(r);
  return value;
}

/** The math built-in a MATH1 / MATH2 instruction at pc computes. */
function mathAt(code: Int32Array, pc: number): MathBuiltin {
  return code[pc] === Op.MATH1 ? MATH1_FNS[code[pc + 3]!]! : MATH2_FNS[code[pc + 4]!]!;
}

/** Helpers the instruction at pc may call, from the opcode table: its checks'
 *  trap helpers, the helper doing its work, a math built-in's own. */
function helpersOf(op: Op, code: Int32Array, pc: number): Helper[] {
  const info = OP_INFO[op];
  const out: Helper[] = [];
  if (info.nullChecked || info.divides) out.push('trap');
  if (info.boundsChecked) out.push('trap_index');
  if (info.helper) out.push(info.helper);
  if (info.barrier) out.push('remember');
  if (op === Op.SGET) out.push('flat');
  // NEWARR* allocates in the window itself and refills it (newArray).
  if (info.helper === 'new_array') out.push('refill');
  if (info.alu && ALU[info.alu].helper) out.push(ALU[info.alu].helper!);
  if (op === Op.MATH1 || op === Op.MATH2) {
    const m = mathAt(code, pc);
    if (NATIVE_MATH[m] === undefined) out.push(m);
  }
  return out;
}

/** Every helper the code of fn (standing at `chain`) can call, and the code of
 *  the bodies it may inline (bodiesInlinedAt), in tier 2 with `spec` (the
 *  root's speculation) or in tier 1 (null); of fn's own code, only the
 *  positions marked in `within` (the blocks its CFG kept) when given. */
export function helpersUsed(env: LowerEnv, fn: BcFunction, chain = NOT_INLINED, spec: Speculation | null = null,
                            root: number | null = fn.index, within: Uint8Array | null = null): Set<Helper> {
  const used = new Set<Helper>(chain.depth > 0 ? [] : [interpHelper(fn.ret)]);
  forEachInstr(fn, (op, pc) => {
    if (within !== null && within[pc] === 0) return;
    for (const h of helpersOf(op, fn.code, pc)) used.add(h);
    if (env.fuel && OP_INFO[op].step) used.add('poll');
    for (const [g, inner] of bodiesInlinedAt(env, fn, pc, chain, spec, root)) for (const h of helpersUsed(env, g, inner, spec, root)) used.add(h);
  });
  return used;
}

/** The words of every body the code of fn (standing at `chain`) inlines, the
 *  bodies they inline included; of fn's own code, only the positions marked
 *  in `within` when given (the walk of helpersUsed). */
export function inlinedWords(env: LowerEnv, fn: BcFunction, chain = NOT_INLINED, spec: Speculation | null = null,
                             root: number | null = fn.index, within: Uint8Array | null = null): number {
  let words = 0;
  forEachInstr(fn, (op, pc) => {
    if (within !== null && within[pc] === 0) return;
    for (const [g, inner] of bodiesInlinedAt(env, fn, pc, chain, spec, root)) words += g.code.length + inlinedWords(env, g, inner, spec, root);
  });
  return words;
}

/** The bodies the call at pc of fn (standing at `chain`) inlines, each with
 *  the chain inside it: a CALL's callee, the target of a CALLV the root guards
 *  (tier 2, spec.targets), the targets of a CALLV it dispatches on; as
 *  lowering decides (inlinedCallee, dispatch). */
function bodiesInlinedAt(env: LowerEnv, fn: BcFunction, pc: number, chain: InlineChain, spec: Speculation | null,
                         root: number | null): [BcFunction, InlineChain][] {
  const op = fn.code[pc] as Op;
  const callee = op === Op.CALL ? fn.code[pc + 1]! : op === Op.CALLV && chain.depth === 0 ? spec?.targets.get(pc) : undefined;
  if (callee !== undefined) {
    const g = env.mod.functions[callee]!;
    return env.mayInline(g.index) && inlinesIn(chain, fn, g, root) ? [[g, deeper(chain, g)]] : [];
  }
  if (op !== Op.CALLV) return [];
  return dispatchTargets(spec, fn, pc, chain).map((t) => env.mod.functions[t]!)
    .filter((g) => dispatchInlines(env, g)).map((g) => [g, dispatchedBody(chain)]);
}

/** The CALLVs tier 2 of fn with `spec` dispatches at, its own and those of
 *  every body it inlines (a reason to recompile a function with no guard to
 *  speculate on; and for --trace-tier). */
export function dispatchSites(env: LowerEnv, fn: BcFunction, spec: Speculation, chain = NOT_INLINED, root = fn.index): number {
  let n = 0;
  forEachInstr(fn, (op, pc) => {
    if (op === Op.CALLV && dispatchTargets(spec, fn, pc, chain).length > 0) n++;
    for (const [g, inner] of bodiesInlinedAt(env, fn, pc, chain, spec, root)) n += dispatchSites(env, g, spec, inner, root);
  });
  return n;
}

// A CALLV tier 2 does not guard on one target dispatches on the targets its
// profile saw (up to four), in the order first seen, with the call it makes
// now as the last resort: no deopt, so it can stand in an inlined body too.
//
//   if R[A] == t1 + 1 { <t1's body inline, or a call of t1> }
//   else if R[A] == t2 + 1 { ... }
//   else { <the call through R[A]> }
//
// A target's body is inlined as in its own compile (its callees inlined three
// deep under the usual bounds, counted from it), when it is at most
// DISPATCH_MAX_WORDS long; no dispatch inside a dispatched body, so the code
// one site grows into stays bounded (four targets, each as large as its own
// compile). What richards' `run_task` call needs: its four targets are
// 70-190 words, and each calls queue_packet or release, which are worth
// inlining only with their own callees.
const DISPATCH_MAX_WORDS = 200;

/** The targets tier 2 (`spec`: the root's speculation; null in tier 1)
 *  dispatches on at the CALLV at pc of fn, standing at `chain`: those its
 *  profile saw, unless the root guards the site on one, or fn is (or is
 *  inlined in) a dispatched body. */
function dispatchTargets(spec: Speculation | null, fn: BcFunction, pc: number, chain: InlineChain): readonly number[] {
  if (spec === null || chain.dispatchedAt > 0 || (chain.depth === 0 && spec.targets.has(pc))) return [];
  return spec.targetsAt(fn.index, pc);
}

/** Whether a dispatch runs target g's body inline (else it calls g). */
function dispatchInlines(env: LowerEnv, g: BcFunction): boolean {
  return env.mayInline(g.index) && g.code.length <= DISPATCH_MAX_WORDS;
}

/** Small enough to inline. */
function inlinable(fn: BcFunction): boolean {
  return fn.code.length <= INLINE_MAX_WORDS;
}

/** Where code stands in inlined bodies: how deep, and their words along the
 *  chain; both counted from the body of a dispatched target, if one is on the
 *  chain (`dispatchedAt`: its depth; 0 when none is). */
interface InlineChain { depth: number; words: number; dispatchedAt: number }
const NOT_INLINED: InlineChain = { depth: 0, words: 0, dispatchedAt: 0 };

function inlineChain(mode: Mode): InlineChain {
  return mode.kind === 'inline' ? mode.chain : NOT_INLINED;
}

/** Whether a call of g is inlined at `chain`: g is small, and neither the depth
 *  of inlined bodies nor their words along the chain go past their bounds. */
function inlinesAt(chain: InlineChain, g: BcFunction): boolean {
  return inlinable(g) && chain.depth - chain.dispatchedAt < INLINE_MAX_DEPTH && chain.words + g.code.length <= INLINE_CHAIN_WORDS;
}

/** Whether the body of fn (standing at `chain`) inlines its call of g: within
 *  the bounds, and a call of fn itself only when fn is `selfRoot`, the function
 *  being compiled in tier 2 (copies of a recursive function inlined into
 *  another function would only unroll the recursion's first levels there,
 *  where it hardly runs). */
function inlinesIn(chain: InlineChain, fn: BcFunction, g: BcFunction, selfRoot: number | null): boolean {
  return (g !== fn || g.index === selfRoot) && inlinesAt(chain, g);
}

/** Whether tier 2 would inline copies of fn into itself where tier 1 calls it
 *  (the policy's reason to recompile a function with nothing to speculate on). */
export function selfInlines(fn: BcFunction): boolean {
  return callsItself(fn, null) && inlinesAt(NOT_INLINED, fn);
}

/** The chain inside g's body inlined at `chain`. */
function deeper(chain: InlineChain, g: BcFunction): InlineChain {
  return { depth: chain.depth + 1, words: chain.words + g.code.length, dispatchedAt: chain.dispatchedAt };
}

/** The chain inside a target's body a dispatch at `chain` inlines: its own
 *  callees are inlined as in its own compile. */
function dispatchedBody(chain: InlineChain): InlineChain {
  return { depth: chain.depth + 1, words: 0, dispatchedAt: chain.depth + 1 };
}

/** How many slots past its frame pointer the frames of g's body, inlined at
 *  `chain` (with the root's speculation `spec`, and `selfRoot` as in
 *  inlinesIn), can reach: its own frame's size, or further where a framed
 *  body it inlines (bodiesInlinedAt: as lowering decides) has its frame, and
 *  the bodies inlined in that, at every depth. An inlined framed body tests
 *  this much room where it is entered (else the call is made, as before), and
 *  the framed bodies inlined in it test nothing: one test where there was one
 *  per framed body entered (richards: a test per run of `schedule`'s loop,
 *  where each task switch made two to five). Leaves are not counted: an
 *  inlined leaf's frame is not tested (WasmFnLowering.hasFrame). */
function inlinedExtent(env: LowerEnv, g: BcFunction, chain: InlineChain, spec: Speculation | null, selfRoot: number | null): number {
  let reach = env.frameSizes[g.index]!;
  forEachInstr(g, (op, pc) => {
    if (op !== Op.CALL && op !== Op.CALLV) return;
    const at = decodeCall(env.mod, g.code, pc).base + HEADER_SLOTS;
    for (const [h, inner] of bodiesInlinedAt(env, g, pc, chain, spec, selfRoot)) {
      if (!isLeaf(h)) reach = Math.max(reach, at + inlinedExtent(env, h, inner, spec, selfRoot));
    }
  });
  return reach;
}

/** Needs no frame of its own (no call, allocation or published helper). */
function isLeaf(fn: BcFunction): boolean {
  let leaf = true;
  forEachInstr(fn, (op) => { if (needsFrame(op)) leaf = false; });
  return leaf;
}

/** The outermost headers an OSR entry with exits may also be entered at (the
 *  first in order of id): its graph begins with a chain of that many tests,
 *  nested in the structured code as deep (a main of 2,000 loops one after
 *  another overflowed the structurer's recursion, and got no OSR entry). */
const MAX_ENTRY_HEADERS = 16;

/** The outermost loop headers of cfg (in no other loop), in order of id: an
 *  OSR entry with exits may leave and be entered at each (OSR exits). */
function outermostHeaders(cfg: Cfg): Block[] {
  const inside = new Set<number>(), out: Block[] = [];
  for (const b of cfg.blocks) {
    if (!b.isLoopHeader || inside.has(b.id)) continue;
    for (const id of loopBlocks(cfg, b.id)) inside.add(id);
    out.push(b);
  }
  return out;
}

/** The headers (pcs) an OSR entry built on cfg can begin at: its entry's, or
 *  those of its entry chain (buildCfg's alsoEnter) and the chain's last way. */
function entryHeaders(cfg: Cfg): Set<number> {
  const out = new Set<number>();
  for (const b of cfg.blocks) {
    if (b.enters === undefined) continue;
    out.add(b.enters);
    const next = cfg.blocks[b.succ[1]!]!;
    if (next.enters === undefined) out.add(next.start);
  }
  if (out.size === 0) out.add(cfg.blocks[cfg.entry]!.start);
  return out;
}

/** A loop whose iterations begin with a call (openLoop): `poll` is the block
 *  its poll path follows; `call`, the pc of the call, whose step is charged
 *  as the loop is entered and with each back-edge's. */
type PolledLoop = { poll: Label; call: number };

/** The CALL of loop header block b whose step can be charged as the loop is
 *  entered and with each back-edge: the first instruction of the block that is
 *  not pure, if it is a CALL (a CALLV checks its target for null before its
 *  step). Every iteration begins with the block, so every iteration takes that
 *  step, with nothing anyone could see done before it. Every edge back to b
 *  must be a step (JMPLOOP, FORLOOP, FORLOOPK) that charges it: not so in an
 *  OSR entry's CFG, where an outer loop comes back to the entry block by a
 *  plain jump or fall-through. */
function leadingCall(cfg: Cfg, b: Block): number | null {
  const code = cfg.fn.code;
  for (const p of b.preds) {
    const last = cfg.blocks[p]!.last;
    if (p >= b.id && (OP_INFO[code[last] as Op].step !== 'backEdge' || stepSite(code, last) !== b.start)) return null;
  }
  for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
    const op = code[pc] as Op;
    if (op === Op.CALL) return pc;
    if (!isPure(op)) return null;
  }
  return null;
}

/** The call area of a call: its base register and its arguments' kinds. */
type AreaArgs = { base: number; params: readonly ValKind[] };

class WasmFnLowering implements StructuredSink<Label> {
  private readonly code: Int32Array;
  /** fn reaches no safepoint (isLeaf): its references stay in locals. */
  private readonly leaf: boolean;
  private readonly fp: Local;
  private readonly fpb: Local;              // fp * 8: base address of the frame
  private readonly regs: Local[] = [];      // register -> local (not for the call area)
  private readonly areaI: Local[] = [];
  private readonly areaF: Local[] = [];
  private readonly consts: Map<number, number>;
  /** What the current block knows checked (checks.ts): registers null-checked
   *  and (object, index) pairs bounds-checked, on every path to here, and not
   *  written since. */
  private facts: CheckFacts = { nonNull: new Set(), inBounds: new Set() };
  /** Registers holding null since LOADNULL, in the block being emitted: a store
   *  of one into the heap needs no write barrier (it makes no old-to-young
   *  reference). */
  private nulls = new Set<number>();
  /** The stores that fill a struct just allocated (checks.ts fillingStores):
   *  they need no write barrier. */
  private readonly filling = new Set<number>();
  /** The facts at the entry of each block (checks.ts). */
  private entryFacts: CheckFacts[] = [];
  private readonly osr: boolean;
  /** The whole function passes fuel along to its recursive calls (callsItself). */
  private readonly threaded: boolean;
  private pc = 0;
  /** In a metered function, the fuel counter itself, kept in this local from
   *  the prologue on (null until loaded, and when not metered); an inlined body
   *  counts on its caller's. */
  private fuelKept: Local | null = null;
  /** In OSR code with exits (LowerEnv.osrExits): the headers (block ids)
   *  whose back-edges may leave (startOsrBudget), the block around the body
   *  that an exit leaves, and the local holding -1 - the header's pc there. */
  private osrExitsAt = new Set<number>();
  private osrExit: { label: Label; at: Local } | null = null;
  /** Where emission stands, may the kept counter differ from its cell (a step
   *  was taken since it was last written back or read)? A return writes it
   *  back only then. */
  private fuelDirty = false;
  /** fuelDirty at the entry of each block (fuelDirtyAtEntry). */
  private dirtyIn: boolean[] = [];
  /** The counted loops (countedLoops) by header block, and their locals. */
  private counted = new Map<number, CountedLoop>();
  private readonly countedLocals = new Map<CountedLoop, CountedLocals>();
  /** The counted loop holding the block whose code is being emitted (by
   *  body, openIf, terminate): there the kept local holds the counter plus v
   *  (the counter is keptNow). Null elsewhere (code between blocks, a loop's
   *  closer), and in the loop's slow path. */
  private counting: CountedLoop | null = null;
  /** What openElse emits for each open `if`: a counted FORLOOP's slow path. */
  private readonly elses: ((() => void) | null)[] = [];
  /** The open loops whose iterations begin with a call (openLoop), by header pc. */
  private readonly polledLoops = new Map<number, PolledLoop>();
  /** Calls whose header is written as their loop is entered (hoistedHeaders):
   *  by loop header block, and the calls' pcs. */
  private hoisted = new Map<number, number>();
  private readonly headerWritten = new Set<number>();
  /** What closes each construct the structurer opened (null: a plain end). */
  private readonly closers: ((() => void) | null)[] = [];
  private cfg: Cfg | null = null;
  /** The block being emitted. */
  private block: Block | null = null;
  private readonly spec: Speculation | null;

  constructor(private readonly env: LowerEnv, private readonly mb: WasmModuleBuilder,
              private readonly wb: WasmFunctionBuilder, private readonly fn: BcFunction, private readonly mode: Mode,
              private readonly helpers: ReadonlyMap<Helper, number>, private readonly tier: TierCode | null = null) {
    this.spec = tier?.spec ?? null;
    this.code = fn.code;
    this.leaf = isLeaf(fn);
    this.osr = mode.kind === 'osr';
    this.consts = constantRegisters(fn);
    if (mode.kind === 'inline') { this.fuelKept = mode.fuel; this.fuelDirty = true; }
    this.threaded = mode.root.threaded;
    if (mode.kind === 'function' && this.threaded) this.fuelKept = wb.param(fn.params.length + 1);
    this.fp = mode.kind === 'inline' ? mode.fp : wb.param(0);
    this.fpb = wb.local(ValType.I32);
    fn.regKinds.forEach((k, r) => {
      if (r >= fn.areaBase) return;
      this.regs[r] = mode.kind === 'function' && r < fn.params.length ? wb.param(r + 1) : wb.local(wasmType(k as ValKind));
    });
  }

  /** Entry of an inlined body: parameters from the caller's argument locals
   *  (references written through, as a called function's prologue does, when
   *  the body has a frame). */
  inlineEntry(args: Local[]): void {
    const wb = this.wb;
    wb.localGet(this.fp); wb.i32Const(3); wb.op(W.I32_SHL); wb.localSet(this.fpb);
    args.forEach((l, i) => { wb.localGet(l); wb.localSet(this.regs[i]!); });
    if (this.hasFrame()) this.fn.params.forEach((k, r) => { if (k === Kind.R) this.writeThrough(r); });
  }

  /** Whether references are kept in frame slots: everywhere but in a leaf,
   *  which reaches no safepoint (an inlined leaf's frame may even end past the
   *  frame stack's end: only the caller's frame was checked to fit). A called
   *  leaf's frame is seen only on its slow paths (a trap, a fuel poll, a deopt
   *  of tier 2, which stores every register itself), none of which looks at
   *  its references. */
  private hasFrame(): boolean {
    return this.mode.kind === 'inline' ? this.mode.framed : !this.leaf;
  }

  // ---- entry -----------------------------------------------------------------------

  prologue(): void {
    const { wb, fn } = this;
    wb.localGet(this.fp); wb.i32Const(3); wb.op(W.I32_SHL); wb.localSet(this.fpb);
    if (this.osr) { this.loadAllRegisters(); this.keepFuel(); return; }
    //   if fp + frameSize > cells[HOST_LIMIT] {     ;; past the host-stack budget
    //     (store the parameters into their slots)  ;; (or the frame stack's end:
    //     return interp_X(fp)                      ;;  the helper traps then)
    //   }
    this.pastHostLimit(this.fp, fn);
    wb.if_();
    fn.params.forEach((k, r) => { wb.localGet(this.fpb); wb.localGet(this.regs[r]!); this.storeKind(k, r * 8); });
    wb.localGet(this.fp); this.callHelper(interpHelper(fn.ret)); this.returnAfterHelper();
    wb.end();
    // The innermost frame, should the host stack run out in deeper compiled code
    // (a leaf calls nothing deeper: its trap and poll paths pass fp themselves).
    if (!this.leaf) { wb.i32Const(0); wb.localGet(this.fp); wb.store(W.I32_STORE, 2, TOP_FP_WORD * 4); }
    if (this.hasFrame()) fn.params.forEach((k, r) => { if (k === Kind.R) this.writeThrough(r); });
    if (this.tier?.tierUp) this.countTowardTier2(this.tier.tierUp);
    this.keepFuel();
  }

  // ---- OSR exits -------------------------------------------------------------------
  //
  // A host that first compiles wasm with a baseline compiler (V8's Liftoff,
  // embedded and in browsers) optimizes a function once it ran enough, but the
  // optimized code serves only later calls: a main loop entered by OSR is one
  // call, and would run its baseline code to the end (mandelbrot 1.9x, fannkuch
  // 1.8x slower). So OSR code with exits counts its back-edges, and once its
  // budget (read from cells[OSR_BUDGET] at entry) is spent it stores its
  // registers at the next back-edge to an outermost loop's header (the
  // entry's among them), as the interpreter's frame holds them at that
  // header, and returns with cells[OSR_BUDGET] = -1 - the header's pc:
  // runtime/osr.ts enters this code again at that header (its second
  // parameter; lowerFunction builds the graph to begin at any outermost
  // header), through the host's newest code for it. Inner
  // loops only count (a subtract on a local, no branch); a long run passes
  // outermost headers, since an inner loop is left through its outer loop's
  // header (a run inside one long inner loop, with no outer iteration, keeps
  // the code it began in). The header of a counted loop (under fuel) has no
  // exit: its kept counter is not exact on its own back-edge.

  /** Read the budget of back-edges, in OSR code with exits (after the
   *  prologue, before the body). */
  private startOsrBudget(cfg: Cfg): void {
    if (!this.env.osrExits) return;
    const enterable = entryHeaders(cfg);
    this.osrExitsAt = new Set(outermostHeaders(cfg).filter((b) => !this.counted.has(b.id) && enterable.has(b.start)).map((b) => b.id));
    if (this.osrExitsAt.size === 0) return;
    const budget = this.mode.root.osrBudget = this.wb.local(ValType.I32);
    this.wb.i32Const(0); this.wb.load(W.I32_LOAD, 2, OSR_BUDGET_WORD * 4); this.wb.localSet(budget);
    this.osrExit = { at: this.wb.local(ValType.I32), label: this.wb.block() };
  }

  //   block $exit  (the body)  end
  //   (the fuel counter written back) ; (every register to its slot)
  //   cells[OSR_BUDGET] := at ; return 0
  /** The one way out of OSR code that every exit takes (after the body, which
   *  ends in returns: only a `br $exit` gets here). One copy of the register
   *  stores, however many headers may exit. */
  private leaveOsr(): void {
    const wb = this.wb, exit = this.osrExit!;
    wb.end();
    this.counting = null;
    this.flushFuel();
    this.storeRegisters();
    wb.i32Const(0); wb.localGet(exit.at); wb.store(W.I32_STORE, 2, OSR_BUDGET_WORD * 4);
    if (this.fn.ret === Kind.F) wb.f64Const(0); else if (this.fn.ret !== null) wb.i32Const(0);
    wb.return_();
  }

  //   budget := budget - 1
  //   if budget <= 0 {                  ;; at an outermost header; hinted rarely taken
  //     (the fuel counter less a leading call's step charged here)
  //     at := -1 - pc(header) ; br $exit
  //   }
  /** On a back-edge (of the root's body or one inlined in it): count it, and
   *  at an outermost header of the root's (else null) leave when the budget
   *  is spent. */
  private osrBackEdge(header: Block | null): void {
    const wb = this.wb, budget = this.mode.root.osrBudget!;
    wb.localGet(budget); wb.i32Const(1); wb.op(W.I32_SUB);
    if (header === null) { wb.localSet(budget); return; }
    wb.localTee(budget); wb.i32Const(0); wb.op(W.I32_LE_S);
    wb.ifRarely();
    // A loop whose iterations begin with a call charged that call's step with
    // the back-edge (openLoop); whoever goes on at the header charges it.
    if (this.fuelKept !== null && this.polledLoops.has(header.start)) {
      wb.localGet(this.fuelKept); wb.i32Const(1); wb.op(W.I32_ADD); wb.localSet(this.fuelKept);
    }
    wb.i32Const(-1 - header.start); wb.localSet(this.osrExit!.at);
    wb.br(this.osrExit!.label);
    wb.end();
  }

  // ---- fuel ------------------------------------------------------------------------
  //
  // A metered function keeps the fuel counter in a local: read from the cell
  // after the prologue (or OSR entry), counted down there at every step, and
  // written back to the cell before anything else may look at it or change it:
  // every helper call that may trap, deoptimize, poll or call an extern
  // (whoever looks at the cell next finds it exact; not BLIND_TO_FUEL's), every guest call
  // (the callee counts on the cell; the call's own step is charged just before,
  // so the write-back follows the charge) and every return that took a step
  // since the counter was last written or read (fuelDirty). After a guest call,
  // an extern (which may call back into the guest) or a poll (which refills the
  // cell) it is read back. An inlined body counts on its caller's local. So
  // between two calls only this code runs, and the steps and the site where
  // they run out are the interpreter's; a back-edge is a subtract and a branch
  // on a register, with no loop-carried dependency through memory.

  /** Start keeping the counter in a local, when metered and fn takes a step
   *  (one that takes none leaves the cell exact, as its caller wrote it). */
  private keepFuel(): void {
    if (!this.env.fuel || this.threaded || takesNoStep(this.fn)) return;
    this.fuelKept = this.wb.local(ValType.I32);
    this.reloadFuel();
    this.fuelDirty = false;
  }

  /** Read the kept counter back from its cell (nothing when none is kept). */
  private reloadFuel(): void {
    if (this.fuelKept === null) return;
    this.wb.i32Const(0); this.wb.load(W.I32_LOAD, 2, FUEL_WORD * 4); this.wb.localSet(this.fuelKept);
  }

  /** Write the kept counter back to its cell (nothing when none is kept). */
  private flushFuel(): void {
    if (this.fuelKept === null) return;
    this.wb.i32Const(0);
    const inCaller = this.mode.kind === 'inline' ? this.mode.fuelNow : null;
    if (this.counting !== null) this.keptNow(this.counting, false);
    else if (inCaller !== null) inCaller();
    else this.wb.localGet(this.fuelKept);
    this.wb.store(W.I32_STORE, 2, FUEL_WORD * 4);
  }

  /** For a body inlined here: how to push the counter, when the kept local
   *  holds something else (in a counted loop: its leading call), or null. */
  private fuelNowIn(): (() => void) | null {
    const l = this.counting;
    return l === null ? null : () => this.keptNow(l, false);
  }

  /** fuelDirty at the entry of each block of cfg: at the entry, false for a
   *  function (the counter was just read) and true for an inlined body (its
   *  caller has just charged the call); elsewhere, true where a path from a
   *  step reaches the block with no guest call or extern call since (those
   *  leave the counter just read back). */
  private fuelDirtyAtEntry(cfg: Cfg): boolean[] {
    const atEntry = this.mode.kind === 'inline';
    const dirtyIn = cfg.blocks.map(() => false);
    const out = cfg.blocks.map(() => false);
    for (let changed = true; changed;) {
      changed = false;
      for (const b of cfg.blocks) {
        dirtyIn[b.id] = (b.id === cfg.entry && atEntry) || b.preds.some((p) => out[p]);
        const o = this.dirtyAfter(b, dirtyIn[b.id]!);
        if (o !== out[b.id]) { out[b.id] = o; changed = true; }
      }
    }
    return dirtyIn;
  }

  /** fuelDirty at the end of block b, entered with `dirty` (as emission tracks it). */
  private dirtyAfter(b: Block, dirty: boolean): boolean {
    for (let pc = b.start; pc <= b.last; pc += instrLength(this.code[pc] as Op)) {
      const op = this.code[pc] as Op;
      if (op === Op.CALL || op === Op.CALLV) dirty = this.inlinesBodyAt(pc);
      else if (op === Op.CALLX) dirty = false;
      else if (OP_INFO[op].step) dirty = true;
    }
    return dirty;
  }

  /** After a guest call or an extern (written back before it): the callee
   *  counted on the cell, so read it back, unless this function returns
   *  before anything else could read it (fib's `return fib(n - 1) + fib(n - 2)`). */
  private fuelCalledOut(inBranch = false): void {
    if (inBranch || !this.onlyReturnFollows()) {
      this.reloadFuel();
      // In a counted loop (its leading call made, not inlined: past the
      // host-stack budget) the local holds the counter plus steps * v.
      const l = this.counting;
      if (l !== null) { this.wb.localGet(this.fuelKept!); this.stepsOf(l); this.wb.op(W.I32_ADD); this.wb.localSet(this.fuelKept!); }
    }
    this.fuelDirty = false;
  }

  /** After the instruction at this.pc, does this function return, with only
   *  pure instructions (isPure) before? (Not an inlined body's return, after
   *  which its caller goes on.) */
  private onlyReturnFollows(): boolean {
    const b = this.block!;
    if (this.mode.kind === 'inline' || this.threaded || b.exit !== Exit.RETURN) return false;
    const last = this.code[b.last] as Op;
    if (last !== Op.RETV && last !== Op.RETI && last !== Op.RETF && last !== Op.RETR) return false;
    for (let pc = this.pc + instrLength(this.code[this.pc] as Op); pc < b.last; pc += instrLength(this.code[pc] as Op)) {
      if (!isPure(this.code[pc] as Op)) return false;
    }
    return true;
  }

  /** Return (the value, if any, pushed): the counter written back first, if it
   *  may differ from the cell; or handed back, when passed along (callsItself). */
  private returnWithFuel(): void {
    if (this.threaded) this.wb.localGet(this.fuelKept!);
    else if (this.fuelDirty) this.flushFuel();
    this.wb.return_();
  }

  /** Return the value a helper that finished this frame left (the interpreter
   *  ran it: the cell is exact), with the counter read back when passed along. */
  private returnAfterHelper(): void {
    if (this.threaded) { this.reloadFuel(); this.wb.localGet(this.fuelKept!); }
    this.wb.return_();
  }

  //   fp + size(g) > cells[HOST_LIMIT]
  /** Push whether a frame of g at `fp` would end past the host-stack limit
   *  (or the frame stack's end): a called g's prologue and an inlined framed
   *  body make the same test, the latter for the frames inlined in it too
   *  (`size`: inlinedExtent). */
  private pastHostLimit(fp: Local, g: BcFunction, size = this.env.frameSizes[g.index]!): void {
    const wb = this.wb;
    wb.localGet(fp); wb.i32Const(size); wb.op(W.I32_ADD);
    wb.i32Const(0); wb.load(W.I32_LOAD, 2, HOST_LIMIT_WORD * 4); wb.op(W.I32_GT_S);
  }

  //   hot := hot - 1 ; if hot == 0 { hot := tier_up(f) }   ;; 0: then it goes negative
  /** Tier 1's countdown to tier 2: the policy recompiles f (tiering.ts), or
   *  starts the countdown over (it returns the calls to count; 0 when it
   *  will not ask again); this call goes on in this code. */
  private countTowardTier2(hot: Global): void {
    const wb = this.wb;
    const t = wb.local(ValType.I32);
    wb.globalGet(hot); wb.i32Const(1); wb.op(W.I32_SUB); wb.localTee(t); wb.globalSet(hot);
    wb.localGet(t); wb.op(W.I32_EQZ);
    wb.if_(); wb.i32Const(this.fn.index); this.callHelper('tier_up'); wb.globalSet(hot); wb.end();
    wb.freeLocal(t);
  }

  // ---- leaving: deoptimization -------------------------------------------------------

  //   (store every i32 and f64 register, and the call's arguments, to its slot)
  //   return deopt_X(fp, pc, reason)         ;; the interpreter finishes the frame
  /** Leave this frame for the interpreter at this.pc, where the interpreter
   *  will execute the instruction again: every register goes to its frame slot
   *  (references are there already: written through), and so do the arguments
   *  of the call at this.pc, if any (`call`: its area base and parameter kinds). */
  private deoptExit(reason: DeoptReason, call: AreaArgs | null): void {
    const { wb, fn } = this;
    this.storeRegisters(call);
    wb.localGet(this.fp); wb.i32Const(this.pc); wb.i32Const(reason);
    this.callHelper(deoptHelper(fn.ret));
    this.returnAfterHelper();
  }

  //   if stress_pc { stress_pc := 0 ; deopt }       ;; --deopt-stress: once per site
  /** Under --deopt-stress, the site at this.pc leaves the first time it is reached. */
  private stressExit(call: AreaArgs | null): void {
    if (!this.spec?.stress) return;
    const wb = this.wb;
    const first = this.mb.addGlobal(1);
    wb.globalGet(first); wb.if_(); wb.i32Const(0); wb.globalSet(first);
    this.deoptExit(DeoptReason.STRESS, call);
    wb.end();
  }

  //   if <the jump goes the other way> { deopt }
  /** A conditional jump compiled one way (the CFG has only that successor). */
  private branchGuard(op: Op, taken: boolean): void {
    this.stressExit(null);
    this.condition(op);
    if (taken) this.wb.op(W.I32_EQZ);
    this.wb.if_(); this.deoptExit(DeoptReason.BRANCH, null); this.wb.end();
  }

  //   if R[A] != target + 1 { deopt }
  /** A CALLV at this.pc: the stress exit, and the guard on the target seen, if
   *  speculated on; the call to make (a CALL of that target if so). */
  private guardCallTarget(c: CallOperands): CallOperands {
    const call = { base: c.base, params: c.sig.params };
    this.stressExit(call);
    const t = this.spec?.targets.get(this.pc);
    if (t === undefined) return c;
    const wb = this.wb;
    this.get(c.target); wb.i32Const(t + 1); wb.op(W.I32_NE);
    wb.if_(); this.deoptExit(DeoptReason.CALL_TARGET, call); wb.end();
    return { ...c, target: t, byValue: false };
  }

  /** Every i32 and f64 register to its frame slot (references are there
   *  already, written through, but in a leaf: stored here too), and the
   *  arguments of `call`, if any. */
  private storeRegisters(call: AreaArgs | null = null): void {
    const { wb, fn } = this;
    fn.regKinds.forEach((k, r) => {
      if (r >= fn.areaBase || (k === Kind.R && this.hasFrame())) return;
      wb.localGet(this.fpb); wb.localGet(this.regs[r]!); this.storeKind(k, r * 8);
    });
    call?.params.forEach((k, i) => {
      wb.localGet(this.fpb); wb.localGet(this.areaArg(k, i)); this.storeKind(k, (call.base + HEADER_SLOTS + i) * 8);
    });
  }

  /** Every register from its frame slot (and the arguments of `call`: stored
   *  by storeRegisters). */
  private loadAllRegisters(call: AreaArgs | null = null): void {
    const { wb, fn } = this;
    const load = (k: ValKind, slot: number, into: Local) => { wb.localGet(this.fpb); this.loadKind(k, slot * 8); wb.localSet(into); };
    fn.regKinds.forEach((k, r) => { if (r < fn.areaBase) load(k as ValKind, r, this.regs[r]!); });
    call?.params.forEach((k, i) => load(k, call.base + HEADER_SLOTS + i, this.areaArg(k, i)));
  }

  // ---- the structured sink ---------------------------------------------------------

  /** Emit the code of cfg's blocks, structured; `atEntry`: the checks known
   *  made when its entry block is first reached (an OSR entry's, checks.ts). */
  lowerBody(cfg: Cfg, atEntry?: CheckFacts): void {
    this.cfg = cfg;
    this.entryFacts = checksAtEntry(cfg, atEntry);
    this.hoisted = hoistedHeaders(cfg);
    for (const pc of this.hoisted.values()) this.headerWritten.add(pc);
    if (this.fuelKept !== null) this.dirtyIn = this.fuelDirtyAtEntry(cfg);
    if (this.fuelKept !== null) this.counted = countedLoops(cfg, this.code, (h) => this.stepFreeLeadingCall(cfg.blocks[h]!));
    if (this.osr) this.startOsrBudget(cfg);
    structure(cfg, this);
    if (this.osrExit !== null) this.leaveOsr();
  }

  body(b: Block): void {
    const at = this.entryFacts[b.id]!;
    this.facts = { nonNull: new Set(at.nonNull), inBounds: new Set(at.inBounds) };
    this.nulls.clear();
    this.fuelDirty = this.dirtyIn[b.id] ?? false;
    this.block = b;
    this.counting = this.countedHolding(b.id);
    for (let pc = b.start; pc <= b.last; pc += instrLength(this.code[pc] as Op)) {
      this.pc = pc;
      const op = this.code[pc] as Op;
      if (pc === b.last && b.exit !== Exit.GOTO) {
        if (op === Op.FORLOOP || op === Op.FORLOOPK) this.forIncrement();
        return;
      }
      if (pc === b.last && (op === Op.JMP || op === Op.JMPLOOP)) {
        if (op === Op.JMPLOOP) this.countStep();
        return;
      }
      const oneWay = pc === b.last ? this.spec?.branches.get(pc) : undefined;
      if (oneWay !== undefined) return this.branchGuard(op, oneWay);
      this.instr(op);
      const made = allocated(this.fn, this.code, pc);
      if (made !== null) this.facts.nonNull.add(made);
    }
  }

  terminate(b: Block): void {
    this.counting = this.countedHolding(b.id);
    this.pc = b.last;
    const op = this.code[b.last] as Op;
    if (this.mode.kind === 'inline' && op !== Op.PANIC) {
      if (op !== Op.RETV) { this.get(this.a(0)); this.wb.localSet(this.mode.result!); }
      this.wb.br(this.mode.ret);
      return;
    }
    this.instr(op);
  }

  /** (A FORLOOP's taken branch, the back-edge, begins with its step.) */
  openIf(b: Block): void {
    if (b.enters !== undefined) return this.openEntryTest(b.enters);
    this.pc = b.last;
    this.counting = this.countedHolding(b.id);
    const op = this.code[b.last] as Op;
    if (isProfiledBranch(op)) this.stressExit(null);
    const l = this.counting?.latch === b.id ? this.counting : null;
    if (l !== null) this.countedCondition(l); else this.condition(op);
    this.closers.push(null);
    this.elses.push(l === null ? null : () => this.countedForSlowPath(l));
    this.wb.if_();
    if (OP_INFO[op].step && l === null) this.countStep();
  }

  //   if pc == header   (the header the OSR code is entered at: its 2nd parameter)
  /** A test of the entry chain (buildCfg's alsoEnter). */
  private openEntryTest(header: number): void {
    const wb = this.wb;
    this.counting = null;
    wb.localGet(wb.param(1)); wb.i32Const(header); wb.op(W.I32_EQ);
    this.closers.push(null);
    this.elses.push(null);
    wb.if_();
  }

  openElse(): void {
    this.counting = null;
    this.wb.else_();
    this.elses.pop()?.();
  }

  /** On an edge leaving a counted loop, the kept counter becomes exact again;
   *  on an edge back to a counted loop's header from outside it (an enclosing
   *  loop that an OSR entry at that header nests through it: counted-loops.ts),
   *  the loop is armed again, as on entry (openCountedLoop). */
  edge(from: number, to: number): void {
    const l = this.countedHolding(from);
    if (l !== null && !l.blocks.has(to)) {
      this.keptNow(l, from === l.latch); this.wb.localSet(this.fuelKept!);
      this.fuelDirty = true;
    }
    if (this.mode.root.osrBudget !== null && to <= from) this.osrBackEdge(this.osrExitsAt.has(to) && l === null ? this.cfg!.blocks[to]! : null);
    const into = this.counted.get(to);
    if (into === undefined || into.blocks.has(from) || to > from) return;
    const counting = this.counting;
    this.counting = null;
    if (into.call !== null) this.chargeOrPoll(1, into.call);
    this.armCounted(into);
    this.fuelDirty = true;
    this.counting = counting;
  }

  openBlock(): Label { this.closers.push(null); return this.wb.block(); }

  //   fuel := fuel - 1 ; if fuel < 0 { poll(fp, call) }   ;; the first iteration's call
  //   block $out
  //     loop $again
  //       block $poll
  //         loop $L  ...  end      ;; at a back-edge: fuel := fuel - 2 ; br_if $poll (fuel < 0)
  //         br $out                ;; (the call's own step is not counted where it stands)
  //       end
  //       (poll the back-edge's step, then the call's: pollBackEdge)
  //       br $again
  //     end
  //   end
  /** A loop. When metered and every iteration begins with a call (leadingCall:
   *  spectral-norm's inner loop, with its inlined call, inside its inlined
   *  caller), the call's step is charged with the back-edge's, one test per
   *  iteration instead of two, and their slow path is outside the loop, so the
   *  loop has no call that returns into it: V8 then keeps the loop's values in
   *  registers, as it does for trap paths (trapIf). Measured: spectral-norm
   *  with both limits 1.5x the time without, 1.15-1.3x with this. Other loops keep
   *  their poll in place: wrapped the same way, they measured no faster (the
   *  count, not the poll, is what they pay: docs/architecture.md, Limits). */
  openLoop(b: Block): Label {
    this.counting = null;
    const counted = this.counted.get(b.id);
    if (counted !== undefined) return this.openCountedLoop(counted, b);
    const call = this.env.fuel ? leadingCall(this.cfg!, b) : null;
    if (call === null) { this.closers.push(null); this.writeHoistedHeader(b); return this.wb.loop(); }
    const wb = this.wb;
    this.chargeOrPoll(1, call);
    const out = wb.block(), again = wb.loop(), poll = wb.block();
    this.polledLoops.set(b.start, { poll, call });
    this.closers.push(() => {
      wb.end(); wb.br(out);
      wb.end();
      this.polledLoops.delete(b.start);
      this.pollBackEdge(b.start, call);
      wb.br(again);
      wb.end(); wb.end();
    });
    this.writeHoistedHeader(b);
    return wb.loop();
  }

  /** Before loop b (each time it is entered, never at a back-edge): the header
   *  of its one call, if hoisted (hoistedHeaders). */
  private writeHoistedHeader(b: Block): void {
    const pc = this.hoisted.get(b.id);
    if (pc === undefined) return;
    const c = decodeCall(this.env.mod, this.code, pc);
    this.writeHeaderAt(pc, c.base, () => this.wb.i32Const(c.target));
  }

  close(): void {
    this.counting = null;
    const closer = this.closers.pop();
    if (closer) closer(); else this.wb.end();
  }
  br(label: Label): void { this.wb.br(label); }

  // ---- operands --------------------------------------------------------------------

  private a(i: number): number { return this.code[this.pc + 1 + i]!; }

  private get(r: number): void {
    const { fn } = this;
    if (r >= fn.areaBase) throw new Error(`call area register r${r} read outside a call`);
    this.wb.localGet(this.regs[r]!);
  }

  /** Pop the value on the stack into register r (kind k), writing references through. */
  private set(r: number, k: ValKind): void {
    const { fn, wb } = this;
    if (r >= fn.areaBase) {
      const i = r - fn.areaBase - HEADER_SLOTS;
      const list = k === Kind.F ? this.areaF : this.areaI;
      if (!list[i]) list[i] = wb.local(wasmType(k));
      wb.localSet(list[i]!);
      return;
    }
    wb.localSet(this.regs[r]!);
    forgetRegister(this.facts, r);
    this.nulls.delete(r);
    if (k === Kind.R && this.hasFrame()) this.writeThrough(r);
  }

  private writeThrough(r: number): void {
    this.wb.localGet(this.fpb); this.wb.localGet(this.regs[r]!); this.wb.store(W.I32_STORE, 2, r * 8);
  }

  private callHelper(name: Helper): void {
    const index = this.helpers.get(name);
    if (index === undefined) throw new Error(`helper ${name} used but not imported`);
    if (!BLIND_TO_FUEL.has(name)) this.flushFuel();
    this.wb.call(index);
  }

  /** Tell the runtime where this frame is before a helper that may allocate or trap. */
  private publish(): void {
    const wb = this.wb;
    wb.i32Const(0); wb.localGet(this.fp); wb.store(W.I32_STORE, 2, TOP_FP_WORD * 4);
    wb.i32Const(0); wb.i32Const(this.pc); wb.store(W.I32_STORE, 2, TOP_PC_WORD * 4);
  }

  //   kept := kept - 1
  //   if kept < 0 { poll(fp, site) }          ;; refill, or trap at the site
  /** One step of fuel for the instruction at this.pc (runtime/limits.ts), when
   *  the run is metered. A
   *  back-edge of a loop whose iterations begin with a call (openLoop) charges
   *  that call's step too, and branches to the poll path after the loop; the
   *  call's step is not counted where it stands. */
  private countStep(): void {
    if (!this.env.fuel) return;
    const site = stepSite(this.code, this.pc);
    const loop = OP_INFO[this.code[this.pc] as Op].step === 'backEdge' ? this.polledLoops.get(site) : undefined;
    if (loop === undefined) {
      if (!this.isChargedWithItsLoop(this.pc)) this.chargeOrPoll(1, site);
      return;
    }
    this.charge(2);
    this.wb.brIfRarely(loop.poll);
  }

  /** Is the call at pc the one an open loop's iterations begin with (openLoop)? */
  private isChargedWithItsLoop(pc: number): boolean {
    for (const l of this.polledLoops.values()) if (l.call === pc) return true;
    for (const l of this.counted.values()) if (l.call === pc) return true;
    return false;
  }

  /** The call loop b's iterations begin with (leadingCall), when metered and
   *  its body runs inline here and takes no step: a counted loop may hold it
   *  (counted-loops.ts). */
  private stepFreeLeadingCall(b: Block): number | null {
    const pc = leadingCall(this.cfg!, b);
    if (pc === null) return null;
    const g = this.inlinedCallee(pc);
    return g !== null && takesNoStep(g) ? pc : null;
  }

  //   kept := kept - n ; if kept < 0 { poll(fp, site) }   ;; the `if` hinted rarely taken
  private chargeOrPoll(n: number, site: number): void {
    this.charge(n);
    this.wb.ifRarely(); this.poll(site); this.wb.end();
  }

  //   kept := kept - n ; kept < 0              ;; left on the stack
  /** Take n steps (give back -n) from the counter; push whether it went below 0. */
  private charge(n: number): void {
    const wb = this.wb;
    const kept = this.fuelKept!;
      wb.localGet(kept); wb.i32Const(n); wb.op(W.I32_SUB); wb.localTee(kept);
    wb.i32Const(0); wb.op(W.I32_LT_S);
    this.fuelDirty = true;
  }

  //   fuel := fuel + 1 ; if fuel < 0 { poll(fp, header) }   ;; the back-edge's step
  //   fuel := fuel - 1 ; if fuel < 0 { poll(fp, call) }     ;; the leading call's
  /** The poll path of a loop whose iterations begin with a call (openLoop):
   *  the counter went below zero at a back-edge to `header`, charged with the
   *  call's step. The steps are polled one by one, as the interpreter takes
   *  them: the back-edge's (was the counter below zero without the call's?),
   *  then the call's; nothing anyone can see runs between the two. */
  private pollBackEdge(header: number, call: number): void {
    this.chargeOrPoll(-1, header);
    this.chargeOrPoll(1, call);
  }

  // ---- counted loops ---------------------------------------------------------------
  //
  // A counted loop (jit/counted-loops.ts: a `for` loop with no step but its
  // back-edge) counts its back-edges by its counter v, not by decrementing
  // the kept counter: entering it (and after each slow path) arms it,
  //
  //   stop := min(kept + v + 1, bound) ; kept := kept + v
  //
  // after which the counter is kept - v in the loop's body (+1 past the
  // FORLOOP's increment, its back-edge not yet counted): so it is written to
  // the cell that way before a helper (flushFuel), and into kept on every
  // edge leaving the loop (edge). The FORLOOP's test becomes `v < stop`: the
  // one compare it made without fuel. When it fails, the slow path (the
  // `else`) tests `v < bound`: if so the back-edge is taken, counted as any
  // other step (poll when the counter goes below zero) and the loop armed
  // again; if not the loop ends. The same steps, trapping at the same site,
  // as counting each one. Should kept + v + 1 wrap past 2^31 - 1, stop is
  // negative and every back-edge takes the slow path (v < bound <= 2^31 - 1
  // leaves at most kept of them); a negative counter (a run already stopped)
  // arms stop at the lowest i32, so every back-edge polls. Measured: a loop
  // summing a 1000-element array ran 1.23x slower with both limits than
  // without, 1.03x counted (bench/limits-cli.mjs; docs/architecture.md).
  //
  // A loop whose iterations begin with a call inlined here that takes no step
  // (CountedLoop.call: spectral-norm's inner loops) takes 2 steps an
  // iteration, the call's charged with the back-edge as in openLoop: the
  // first call is charged as the loop is entered, then v stands for 2 steps
  // (stop := v + (kept >> 1) + 1, kept := kept + 2v, the counter kept - 2v),
  // and the slow path takes the back-edge's step, then the call's. Should the
  // inlined body be called instead (past the host-stack budget), the counter
  // read back after it gets 2v added again (fuelCalledOut). Measured:
  // spectral-norm 1.10x with both limits, 1.04x counted.

  /** The counted loop holding block b, or null. */
  private countedHolding(b: number): CountedLoop | null {
    for (const l of this.counted.values()) if (l.blocks.has(b)) return l;
    return null;
  }

  /** Open counted loop l, armed (the first iteration's leading call charged
   *  first, as openLoop does). */
  private openCountedLoop(l: CountedLoop, b: Block): Label {
    const wb = this.wb;
    const locals: CountedLocals = { stop: wb.local(ValType.I32), loop: null };
    this.countedLocals.set(l, locals);
    if (l.call !== null) this.chargeOrPoll(1, l.call);
    this.armCounted(l);
    this.writeHoistedHeader(b);
    this.closers.push(null);
    locals.loop = wb.loop();
    return locals.loop;
  }

  //   stop := kept + v + 1                   ;; 2 steps an iteration: v + (kept >> 1) + 1
  //   if kept < 0 { stop := MIN }            ;; hinted rarely taken
  //   stop := min(stop, bound)               ;; a FORLOOP
  //   kept := kept + v                       ;; 2 steps: kept + 2v
  private armCounted(l: CountedLoop): void {
    const wb = this.wb, { stop } = this.countedLocals.get(l)!;
    const v = this.regs[l.v]!, kept = this.fuelKept!;
    wb.localGet(kept); if (l.steps === 2) { wb.i32Const(1); wb.op(W.I32_SHR_S); }
    wb.localGet(v); wb.op(W.I32_ADD); wb.i32Const(1); wb.op(W.I32_ADD); wb.localSet(stop);
    wb.localGet(kept); wb.i32Const(0); wb.op(W.I32_LT_S);
    wb.ifRarely(); wb.i32Const(-0x80000000); wb.localSet(stop); wb.end();
    wb.localGet(stop); this.pushBound(l); wb.localGet(stop); this.pushBound(l); wb.op(W.I32_LT_S);
    wb.select(); wb.localSet(stop);
    wb.localGet(kept); this.stepsOf(l); wb.op(W.I32_ADD); wb.localSet(kept);
  }

  //   v * steps
  private stepsOf(l: CountedLoop): void {
    this.get(l.v);
    if (l.steps === 2) { this.wb.i32Const(1); this.wb.op(W.I32_SHL); }
  }

  private pushBound(l: CountedLoop): void {
    const b = l.bound;
    if ('reg' in b) this.get(b.reg); else this.wb.i32Const(b.imm);
  }

  //   kept - v (+ 1)                         ;; 2 steps an iteration: kept - 2v (+ 2)
  /** Push the value of the counter in counted loop l: anywhere in its body,
   *  or past its FORLOOP's increment (the back-edge, and the next iteration's
   *  leading call, not counted yet). */
  private keptNow(l: CountedLoop, pastIncrement: boolean): void {
    const wb = this.wb;
    wb.localGet(this.fuelKept!); this.stepsOf(l); wb.op(W.I32_SUB);
    if (pastIncrement) { wb.i32Const(l.steps); wb.op(W.I32_ADD); }
  }

  //   v < stop                                 ;; a FORLOOP's back-edge (v incremented)
  private countedCondition(l: CountedLoop): void {
    this.get(l.v); this.wb.localGet(this.countedLocals.get(l)!.stop); this.wb.op(W.I32_LT_S);
  }

  //   if v < bound { (the slow step) ; br loop }   ;; else the loop ends (edge)
  /** The else branch of a counted FORLOOP's `v < stop`. */
  private countedForSlowPath(l: CountedLoop): void {
    const wb = this.wb;
    this.get(l.v); this.pushBound(l); wb.op(W.I32_LT_S);
    wb.if_(); this.countedSlowStep(l); wb.br(this.countedLocals.get(l)!.loop!); wb.end();
  }

  //   kept := kept - v + 1 ; kept := kept - 1 ; if kept < 0 { poll(fp, header) } ; (arm)
  /** The back-edge of counted loop l, counted as any other step, then l
   *  armed again (in openElse: not counting). */
  private countedSlowStep(l: CountedLoop): void {
    this.pc = this.cfg!.blocks[l.latch]!.last;
    this.keptNow(l, true); this.wb.localSet(this.fuelKept!);
    this.chargeOrPoll(1, stepSite(this.code, this.pc));
    if (l.call !== null) this.chargeOrPoll(1, l.call);
    this.armCounted(l);
  }

  //   poll(fp, site)                          ;; (the kept counter written back first)
  //   kept := cells[FUEL]
  /** The slow path of a step (its `if` hinted as rarely taken: chargeOrPoll).
   *  Values live across the call stay in locals: with the hint V8 lays the
   *  path out of line and spills them only there. (Registers the innermost
   *  loop writes, sent through the frame around the call, were worth it
   *  before counted loops took the polls out of spectral-norm's inner loops;
   *  measured since, with the hint and without, they cost more than they
   *  saved: richards 7% of its time with both limits, sieve 5%,
   *  nothing gained elsewhere: docs/architecture.md, "Limits".) */
  private poll(site: number): void {
    const wb = this.wb;
    this.frameSeen();
    wb.localGet(this.fp); wb.i32Const(site); this.callHelper('poll');
    this.reloadFuel();
  }

  //   cells[CALLS] := cells[CALLS] + 1
  private countCall(): void {
    const wb = this.wb;
    wb.i32Const(0); wb.i32Const(0); wb.load(W.I32_LOAD, 2, CALLS_WORD * 4); wb.i32Const(1); wb.op(W.I32_ADD);
    wb.store(W.I32_STORE, 2, CALLS_WORD * 4);
  }

  /** On a slow path where the frame can be seen (a trap, a fuel poll): an
   *  inlined leaf's header, written only here. */
  private frameSeen(): void {
    if (this.mode.kind === 'inline') this.mode.header?.();
  }

  /** Trap with `code` when the i32 on the stack is nonzero. The helper throws;
   *  the `unreachable` after it tells V8 so: a path that returns would keep every
   *  value live across the call, and V8 then holds a loop's values in stack
   *  slots rather than registers (spectral-norm ran 2x slower). */
  private trapIf(code: TrapCode): void {
    const wb = this.wb;
    wb.if_(); this.frameSeen(); wb.i32Const(code); wb.localGet(this.fp); wb.i32Const(this.pc); this.callHelper('trap'); wb.unreachable(); wb.end();
  }

  /** Trap on null, unless this block already checked r and has not written it since. */
  private nullCheck(r: number): void {
    if (this.facts.nonNull.has(r)) return;
    this.get(r); this.wb.op(W.I32_EQZ); this.trapIf(TrapCode.NULL);
    this.facts.nonNull.add(r);
  }

  /** Trap unless 0 <= R[i] < length of the object in R[obj] (nothing where
   *  constants prove it: an array literal's stores, checks.ts boundsProven). */
  private boundsCheck(obj: number, i: number): void {
    const wb = this.wb;
    if (boundsProven(this.fn).has(this.pc)) return;
    const key = boundsKey(obj, i);
    if (key !== null && this.facts.inBounds.has(key)) return;
    if (key !== null) this.facts.inBounds.add(key);
    this.get(i); this.get(obj); wb.load(W.I32_LOAD, 2, 4); wb.op(W.I32_GE_U);
    wb.if_();
    this.frameSeen();
    this.get(i); this.get(obj); wb.load(W.I32_LOAD, 2, 4); wb.localGet(this.fp); wb.i32Const(this.pc);
    this.callHelper('trap_index');
    wb.unreachable();
    wb.end();
  }

  /** Push the address of element R[i] of array R[obj] (elements of 1 << shift bytes). */
  private elementAddress(obj: number, i: number, shift: number): void {
    this.get(obj); this.get(i);
    if (shift > 0) { this.wb.i32Const(shift); this.wb.op(W.I32_SHL); }
    this.wb.op(W.I32_ADD);
  }

  // ---- instructions ----------------------------------------------------------------

  /** R[dst] := code unit i of string s (checked already). A rope (runtime/heap.ts,
   *  ropes) is read through its flat string: one hop when flattened, else the
   *  `flat` helper (never collects; may grow the memory; traps `out of memory`
   *  at this frame and position when the heap has no room). */
  private stringUnit(dst: number, s: number, i: number): void {
    const wb = this.wb, t = wb.local(ValType.I32);
    this.get(s); wb.localTee(t);
    wb.load(W.I32_LOAD, 2, 0); wb.i32Const(KIND_MASK); wb.op(W.I32_AND); wb.i32Const(ObjKind.STR); wb.op(W.I32_NE);
    wb.ifRarely();
    wb.localGet(t); wb.load(W.I32_LOAD, 2, 12); wb.op(W.I32_EQZ);
    wb.if_();
    wb.localGet(t); wb.load(W.I32_LOAD, 2, 8); wb.localSet(t);
    wb.else_();
    this.frameSeen(); wb.localGet(t); wb.localGet(this.fp); wb.i32Const(this.pc); this.callHelper('flat'); wb.localSet(t);
    wb.end();
    wb.end();
    wb.localGet(t); this.get(i); wb.i32Const(1); wb.op(W.I32_SHL); wb.op(W.I32_ADD);
    wb.load(W.I32_LOAD16_U, 1, HEADER_BYTES); this.set(dst, Kind.I);
    wb.freeLocal(t);
  }

  private forIncrement(): void {
    const i = this.a(0);
    this.get(i); this.wb.i32Const(1); this.wb.op(W.I32_ADD); this.set(i, Kind.I);
  }

  /** Push the condition under which the conditional jump at this.pc is taken. */
  private condition(op: Op): void {
    const wb = this.wb;
    if (isCmpOp(op)) {
      this.get(this.a(0));
      if (OP_INFO[op].args[1] === 'imm') wb.i32Const(this.a(1)); else this.get(this.a(1));
      wb.op(CMP[OP_INFO[op].cmp!]);
      return;
    }
    switch (op) {
      case Op.JT: this.get(this.a(0)); return;
      case Op.JF: this.get(this.a(0)); wb.op(W.I32_EQZ); return;
      case Op.FORLOOP: this.get(this.a(0)); this.get(this.a(1)); wb.op(W.I32_LT_S); return;
      case Op.FORLOOPK: this.get(this.a(0)); wb.i32Const(this.a(1)); wb.op(W.I32_LT_S); return;
      default: throw new Error(`${OP_INFO[op].name} is not a conditional jump`);
    }
  }

  /** A pure operation: its operands (registers, immediates, f64 constants) in
   *  order, then the ALU table's code; the result to R[A]. */
  private alu(op: AluOp): void {
    const info = OP_INFO[op];
    info.args.forEach((kind, i) => {
      if (i === 0) return;
      const v = this.a(i);
      if (kind === 'imm') this.wb.i32Const(v);
      else if (kind === 'kf') this.wb.f64Const(this.env.mod.f64Consts[v]!);
      else this.get(v);
    });
    ALU[info.alu!].emit(this.wb, (h) => this.callHelper(h));
    this.set(this.a(0), writtenKind(op));
  }

  /** One instruction that is not a block's branch. Exhaustive over Op. */
  private instr(op: Op): void {
    const wb = this.wb;
    const a = (i: number) => this.a(i);
    const variant = OP_INFO[op].variant ?? Kind.I;
    forEachCheck(this.code, this.pc, (r) => this.nullCheck(r), (o, i) => this.boundsCheck(o, i));
    if (isAluOp(op)) return this.alu(op);
    if (isCmpOp(op)) throw new Error(`${OP_INFO[op].name} is lowered as a block's branch`);
    if (isSuperOp(op)) throw new Error(`${OP_INFO[op].name}: compiled code reads plain instructions (bytecode/fuse.ts)`);
    switch (op) {
      case Op.LOADI: wb.i32Const(a(1)); this.set(a(0), Kind.I); return;
      case Op.LOADF: wb.f64Const(this.env.mod.f64Consts[a(1)]!); this.set(a(0), Kind.F); return;
      case Op.LOADS: wb.i32Const(this.env.strAddrs[a(1)]!); this.set(a(0), Kind.R); return;
      case Op.LOADNULL: wb.i32Const(0); this.set(a(0), Kind.R); this.nulls.add(a(0)); return;
      case Op.LOADFN: wb.i32Const(a(1) + 1); this.set(a(0), Kind.I); return;
      case Op.DIV: case Op.REM: return this.divide(op);
      case Op.STREQ: case Op.STRNE:
        this.get(a(1)); this.get(a(2)); this.callHelper('streq');
        if (op === Op.STRNE) wb.op(W.I32_EQZ);
        this.set(a(0), Kind.I);
        return;
      case Op.JMP: case Op.JMPLOOP: case Op.FORLOOP: case Op.FORLOOPK: case Op.JT: case Op.JF:
        throw new Error(`${OP_INFO[op].name} is lowered as a block's branch`);
      case Op.CALL: case Op.CALLV: return this.call();
      case Op.CALLX: return this.callExtern();
      case Op.RETV: this.returnWithFuel(); return;
      case Op.RETI: case Op.RETF: case Op.RETR: this.get(a(0)); this.returnWithFuel(); return;
      case Op.NEWSTRUCT: return this.newStruct();
      case Op.GETFI: case Op.GETFF: case Op.GETFR:
        this.get(a(1)); this.loadKind(variant, a(2)); this.set(a(0), variant);
        return;
      case Op.SETFI: case Op.SETFF: case Op.SETFR:
        this.get(a(0)); this.get(a(2)); this.storeKind(variant, a(1));
        if (OP_INFO[op].barrier && !this.nulls.has(a(2)) && !this.filling.has(this.pc)) this.writeBarrier(a(0), null, a(2));
        return;
      case Op.NEWARRI: case Op.NEWARRF: case Op.NEWARRR: case Op.NEWARRB:
        return this.newArray(arrayKindFor(variant, OP_INFO[op].elementBytes));
      case Op.AGETI: case Op.AGETF: case Op.AGETR: case Op.AGETB: {
        const bytes = OP_INFO[op].elementBytes!;
        this.elementAddress(a(1), a(2), Math.log2(bytes));
        if (bytes === 1) wb.load(W.I32_LOAD8_U, 0, HEADER_BYTES); else this.loadKind(variant, HEADER_BYTES);
        this.set(a(0), variant);
        return;
      }
      case Op.ASETI: case Op.ASETF: case Op.ASETR: case Op.ASETB: {
        const bytes = OP_INFO[op].elementBytes!;
        this.elementAddress(a(0), a(1), Math.log2(bytes)); this.get(a(2));
        if (bytes === 1) wb.store(W.I32_STORE8, 0, HEADER_BYTES); else this.storeKind(variant, HEADER_BYTES);
        if (OP_INFO[op].barrier && !this.nulls.has(a(2))) this.writeBarrier(a(0), a(1), a(2));
        return;
      }
      case Op.LEN: this.get(a(1)); wb.load(W.I32_LOAD, 2, 4); this.set(a(0), Kind.I); return;
      case Op.SGET: return this.stringUnit(a(0), a(1), a(2));
      case Op.CONCAT: this.publish(); this.get(a(1)); this.get(a(2)); this.callHelper('concat'); this.set(a(0), Kind.R); return;
      case Op.SBSTR: this.publish(); this.get(a(1)); this.callHelper('sb_str'); this.set(a(0), Kind.R); return;
      case Op.SBAPPEND: this.publish(); this.get(a(1)); this.get(a(2)); this.callHelper('sb_append'); this.set(a(0), Kind.R); return;
      case Op.GETGI: case Op.GETGR: case Op.GETGF:
        wb.i32Const(0); this.loadKind(variant, (this.env.globalsSlot + a(1)) * 8); this.set(a(0), variant);
        return;
      case Op.SETGI: case Op.SETGR: case Op.SETGF:
        wb.i32Const(0); this.get(a(1)); this.storeKind(variant, (this.env.globalsSlot + a(0)) * 8);
        return;
      case Op.OUTI: case Op.OUTF: case Op.OUTB: case Op.OUTS:
        this.get(a(0)); wb.i32Const(a(1)); this.callHelper(OP_INFO[op].helper!);
        return;
      case Op.TOSTRI: case Op.TOSTRF: case Op.TOSTRB:
        this.publish(); this.get(a(1)); this.callHelper(OP_INFO[op].helper!); this.set(a(0), Kind.R);
        return;
      case Op.MATH1: case Op.MATH2: {
        const m = mathAt(this.code, this.pc);
        this.get(a(1)); if (op === Op.MATH2) this.get(a(2));
        const native = NATIVE_MATH[m];
        if (native !== undefined) wb.op(native); else this.callHelper(m);
        this.set(a(0), Kind.F);
        return;
      }
      case Op.CLOCK: this.callHelper('clock'); this.set(a(0), Kind.F); return;
      case Op.FIXED: this.publish(); this.get(a(1)); this.get(a(2)); this.callHelper('fixed'); this.set(a(0), Kind.R); return;
      case Op.CHR: {
        // A code point below CHAR_CACHE_SIZE: the cached string, loaded inline
        // (no call: `words` makes 4 million); else the helper.
        const cache = this.env.charCache;
        if (cache === 0) { this.publish(); this.get(a(1)); this.callHelper('chr'); this.set(a(0), Kind.R); return; }
        this.get(a(1)); wb.i32Const(CHAR_CACHE_SIZE); wb.op(W.I32_LT_U);
        wb.if_(ValType.I32);
        this.get(a(1)); wb.i32Const(2); wb.op(W.I32_SHL); wb.load(W.I32_LOAD, 2, cache + HEADER_BYTES);
        wb.else_();
        this.publish(); this.get(a(1)); this.callHelper('chr');
        wb.end();
        this.set(a(0), Kind.R);
        return;
      }
      case Op.SUBSTR:
        this.publish(); this.get(a(1)); this.get(a(2)); this.get(a(3)); this.callHelper('substr'); this.set(a(0), Kind.R);
        return;
      case Op.PARSEI: case Op.PARSEF:
        this.publish(); this.get(a(1)); this.callHelper(OP_INFO[op].helper!);
        this.set(a(0), op === Op.PARSEI ? Kind.I : Kind.F);
        return;
      case Op.PANIC: this.publish(); this.get(a(0)); this.callHelper('panic'); wb.unreachable(); return;
      case Op.READLINE: this.publish(); this.callHelper('read_line'); this.set(a(0), Kind.R); return;
      default: {
        const unknown: never = op;
        throw new Error(`cannot lower opcode ${unknown as number}`);
      }
    }
  }

  /** Load a value of kind k from the address on the stack plus offset. */
  private loadKind(k: Kind, offset: number): void {
    if (k === Kind.F) this.wb.load(W.F64_LOAD, 3, offset); else this.wb.load(W.I32_LOAD, 2, offset);
  }

  /** Store the value of kind k on the stack at the address below it plus offset. */
  /** After storing the reference in register v into element `index` (a
   *  register, or null for a struct field) of the object in register r: the
   *  write barrier (heap.ts, barrierNeeded and youngRef):
   *    t := tag & MASK; if t == ONCE | t >= ALWAYS { if v != 0 && !(v.tag & MARK) { remember } } */
  private writeBarrier(r: number, index: number | null, v: number): void {
    const wb = this.wb;
    const t = wb.local(ValType.I32);
    this.get(r); wb.load(W.I32_LOAD, 2, 0); wb.i32Const(BARRIER_MASK); wb.op(W.I32_AND); wb.localTee(t);
    wb.i32Const(BARRIER_ONCE); wb.op(W.I32_EQ);
    wb.localGet(t); wb.i32Const(BARRIER_ALWAYS); wb.op(W.I32_GE_U); wb.op(W.I32_OR);
    wb.if_();
    this.get(v);
    wb.if_();
    this.get(v); wb.load(W.I32_LOAD, 2, 0); wb.i32Const(MARK_BIT); wb.op(W.I32_AND); wb.op(W.I32_EQZ);
    wb.if_();
    this.get(r); if (index === null) wb.i32Const(-1); else this.get(index);
    this.callHelper('remember');
    wb.end();
    wb.end();
    wb.end();
    wb.freeLocal(t);
  }

  private storeKind(k: Kind, offset: number): void {
    if (k === Kind.F) this.wb.store(W.F64_STORE, 3, offset); else this.wb.store(W.I32_STORE, 2, offset);
  }

  //   R[C] == 0             -> trap division by zero
  //   DIV: R[B] == MIN && R[C] == -1 -> trap integer overflow   (wasm's rem_s gives 0 there)
  private divide(op: Op): void {
    const wb = this.wb;
    const [d, x, y] = [this.a(0), this.a(1), this.a(2)];
    const known = this.consts.get(y);
    if (known === undefined || known === 0) { this.get(y); wb.op(W.I32_EQZ); this.trapIf(TrapCode.DIV_ZERO); }
    if (op === Op.DIV && (known === undefined || known === -1)) {
      this.get(x); wb.i32Const(-2147483648); wb.op(W.I32_EQ);
      this.get(y); wb.i32Const(-1); wb.op(W.I32_EQ);
      wb.op(W.I32_AND); this.trapIf(TrapCode.OVERFLOW);
    }
    this.get(x); this.get(y); wb.op(op === Op.DIV ? W.I32_DIV_S : W.I32_REM_S);
    this.set(d, Kind.I);
  }

  //   p := cells[CURSOR]; np := p + size
  //   if np > cells[LIMIT] { publish; p := new_struct(st) }     ;; window used up
  //   else { cells[CURSOR] := np; header; zero the fields }     ;; inline bump
  private newStruct(): void {
    const wb = this.wb;
    const st = this.a(1);
    const size = blockSizeFor(this.env.mod.structs[st]!.size);
    const p = wb.local(ValType.I32), np = wb.local(ValType.I32);
    wb.i32Const(0); wb.load(W.I32_LOAD, 2, CURSOR_WORD * 4); wb.localTee(p);
    wb.i32Const(size); wb.op(W.I32_ADD); wb.localTee(np);
    wb.i32Const(0); wb.load(W.I32_LOAD, 2, LIMIT_WORD * 4); wb.op(W.I32_GT_U);
    wb.if_();
    this.publish(); wb.i32Const(st); this.callHelper('new_struct'); wb.localSet(p);
    wb.else_();
    wb.i32Const(0); wb.localGet(np); wb.store(W.I32_STORE, 2, CURSOR_WORD * 4);
    wb.localGet(p); wb.i32Const(ObjKind.STRUCT | (st << 8)); wb.store(W.I32_STORE, 2, 0);
    wb.localGet(p); wb.i32Const(0); wb.store(W.I32_STORE, 2, 4);
    const { stores, zero } = fillingStores(this.code, this.pc, this.block!.last, size - HEADER_BYTES);
    for (const at of stores) this.filling.add(at);
    for (let w = 0; w < zero.length; w += 2) {
      const off = HEADER_BYTES + 4 * w;
      if (zero[w] && zero[w + 1]) { wb.localGet(p); wb.i64Const(0n); wb.store(W.I64_STORE, 3, off); }
      else if (zero[w] || zero[w + 1]) { wb.localGet(p); wb.i32Const(0); wb.store(W.I32_STORE, 2, zero[w] ? off : off + 4); }
    }
    wb.end();
    wb.localGet(p);
    this.set(this.a(0), Kind.R);
    wb.freeLocal(p); wb.freeLocal(np);
  }

  //   n := R[B]
  //   if n >u windowArrayMax(kind) { publish; p := new_array(kind, n) }  ;; negative, big, long
  //   else {
  //     size := max(MIN_BLOCK, (HEADER_BYTES + n * elementBytes + 7) & ~7)
  //     p := cursor; np := p + size
  //     if np > limit { publish; refill(size); p := cursor; np := p + size }  ;; window used up
  //     cursor := np; header; zero [p + HEADER_BYTES, np)
  //   }
  /** NEWARR*: the array allocated in the window, as Heap.newArray allocates
   *  it there (alloc: same block size, tag, zeroed payload, the same refill
   *  when the window is used up, which may collect); the arrays newArray
   *  treats otherwise go to it (runtime/heap.ts windowArrayMax). */
  private newArray(kind: ArrayKind): void {
    const wb = this.wb;
    const shift = Math.log2(elementBytesOf(kind));
    const n = wb.local(ValType.I32), p = wb.local(ValType.I32), np = wb.local(ValType.I32), size = wb.local(ValType.I32);
    const done = wb.block();
    this.get(this.a(1)); wb.localTee(n);
    wb.i32Const(windowArrayMax(kind)); wb.op(W.I32_GT_U);
    wb.ifRarely();
    this.publish(); wb.i32Const(kind); wb.localGet(n); this.callHelper('new_array'); wb.localSet(p);
    wb.br(done);
    wb.end();
    wb.localGet(n);
    if (shift > 0) { wb.i32Const(shift); wb.op(W.I32_SHL); }
    wb.i32Const(HEADER_BYTES + 7); wb.op(W.I32_ADD); wb.i32Const(~7); wb.op(W.I32_AND); wb.localTee(size);
    wb.i32Const(MIN_BLOCK); wb.localGet(size); wb.i32Const(MIN_BLOCK); wb.op(W.I32_GT_U); wb.select(); wb.localSet(size);
    const bump = () => {
      wb.i32Const(0); wb.load(W.I32_LOAD, 2, CURSOR_WORD * 4); wb.localTee(p);
      wb.localGet(size); wb.op(W.I32_ADD); wb.localTee(np);
    };
    bump();
    wb.i32Const(0); wb.load(W.I32_LOAD, 2, LIMIT_WORD * 4); wb.op(W.I32_GT_U);
    wb.if_();
    this.publish(); wb.localGet(size); this.callHelper('refill');
    bump(); wb.drop();
    wb.end();
    wb.i32Const(0); wb.localGet(np); wb.store(W.I32_STORE, 2, CURSOR_WORD * 4);
    wb.localGet(p); wb.i32Const(kind); wb.store(W.I32_STORE, 2, 0);
    wb.localGet(p); wb.localGet(n); wb.store(W.I32_STORE, 2, 4);
    this.zeroFill(p, np);
    wb.end();
    wb.localGet(p);
    this.set(this.a(0), Kind.R);
    for (const l of [n, p, np, size]) wb.freeLocal(l);
  }

  //   if np - p > ZERO_FILL_LOOP_MAX { memory.fill(p + 8, 0, np - p - 8) }
  //   else { q := p + 8; while q < np { i64[q] := 0; q += 8 } }
  /** Zero the payload of the block [p, np) (np - p a multiple of 8): a loop of
   *  8-byte stores for a short one (memory.fill is a call out of V8's
   *  generated code), memory.fill for the rest. */
  private zeroFill(p: Local, np: Local): void {
    const wb = this.wb;
    const q = wb.local(ValType.I32);
    wb.localGet(np); wb.localGet(p); wb.op(W.I32_SUB); wb.i32Const(ZERO_FILL_LOOP_MAX); wb.op(W.I32_GT_U);
    wb.if_();
    wb.localGet(p); wb.i32Const(HEADER_BYTES); wb.op(W.I32_ADD);
    wb.i32Const(0);
    wb.localGet(np); wb.localGet(p); wb.op(W.I32_SUB); wb.i32Const(HEADER_BYTES); wb.op(W.I32_SUB);
    wb.memoryFill();
    wb.else_();
    wb.localGet(p); wb.localSet(q);   // the header's last word: q + 8 is the first to zero
    const out = wb.block();
    const loop = wb.loop();
    wb.localGet(q); wb.i32Const(8); wb.op(W.I32_ADD); wb.localTee(q);
    wb.localGet(np); wb.op(W.I32_GE_U); wb.brIf(out);
    wb.localGet(q); wb.i64Const(0n); wb.store(W.I64_STORE, 3, 0);
    wb.br(loop);
    wb.end(); wb.end();
    wb.end();
    wb.freeLocal(q);
  }

  /** CALL / CALLV: header over the call area, then call_indirect with native args;
   *  or, for a small callee, its body inline. (CALLV's null check is made.) */
  private call(): void {
    const env = this.env;
    let c = decodeCall(env.mod, this.code, this.pc);
    if (c.byValue && this.spec !== null) c = this.guardCallTarget(c);
    this.countStep();
    if (env.countCalls) this.countCall();
    const g = this.inlinedCallee(this.pc);
    if (g !== null) {
      this.inlineCall(g, c);
      this.fuelDirty = this.fuelKept !== null;
      return;
    }
    const targets = c.byValue ? this.dispatchTargets(this.pc) : [];
    if (targets.length > 0) return this.dispatch(c, targets);
    this.callOut(c);
  }

  /** The targets the CALLV at pc dispatches on (none in tier 1). */
  private dispatchTargets(pc: number): readonly number[] {
    return dispatchTargets(this.mode.root.tier2, this.fn, pc, inlineChain(this.mode));
  }

  /** Does the call at pc run a body inline (on some path)? After it the kept
   *  fuel counter may differ from its cell. */
  private inlinesBodyAt(pc: number): boolean {
    return this.inlinedCallee(pc) !== null
      || (this.code[pc] === Op.CALLV && this.dispatchTargets(pc).some((t) => dispatchInlines(this.env, this.env.mod.functions[t]!)));
  }

  //   if R[A] == t1 + 1 { <t1 inline, or called> } else if ... else { <call R[A]> }
  /** A CALLV dispatched on the targets its profile saw (see DISPATCH_MAX_WORDS):
   *  each target's body inline, or a call of it; a target not seen is called
   *  through the value, as without a profile. One call all the same: its fuel
   *  step and count were taken before. */
  private dispatch(c: CallOperands, targets: readonly number[]): void {
    const { wb, env } = this;
    let inlined = false;
    for (const t of targets) {
      const g = env.mod.functions[t]!, direct = { ...c, target: t, byValue: false };
      this.get(c.target); wb.i32Const(t + 1); wb.op(W.I32_EQ);
      wb.if_();
      if (dispatchInlines(env, g)) {
        this.inlineCall(g, direct, dispatchedBody(inlineChain(this.mode)));
        inlined = true;
      } else {
        this.callOut(direct, true);
      }
      wb.else_();
    }
    this.callOut(c, true);
    for (let i = 0; i < targets.length; i++) wb.end();
    this.fuelDirty = inlined && this.fuelKept !== null;
  }

  /** The whole function this code is part of (itself, or the one its body is
   *  inlined into); null in an OSR entry. */
  private root(): number | null {
    return this.mode.root.fn;
  }

  /** The root when this is tier-2 code, which inlines copies of it into itself. */
  private selfRoot(): number | null {
    return this.mode.root.selfInline ? this.mode.root.fn : null;
  }

  /** The function whose body the CALL or CALLV at pc is replaced with (a CALLV
   *  only where tier 2 speculates on its target), or null: a call is made. */
  private inlinedCallee(pc: number): BcFunction | null {
    const { fn, env } = this;
    const callee = this.code[pc] === Op.CALL ? this.code[pc + 1]! : this.spec?.targets.get(pc);
    if (callee === undefined) return null;
    const g = env.mod.functions[callee]!;
    return env.mayInline(g.index) && inlinesIn(inlineChain(this.mode), fn, g, this.selfRoot()) ? g : null;
  }

  /** The call itself: header, arguments, call (direct for recursion into the
   *  function being compiled, from its own body or from a copy inlined in it,
   *  unless it calls itself through the table: lowerFunction, viaTable);
   *  `inBranch`: made on one path of an inlined call, after which the counter
   *  is read back in any case. */
  private callOut(c: CallOperands, inBranch = false): void {
    const { wb } = this;
    const pushCallee = () => {
      if (c.byValue) { this.get(c.target); wb.i32Const(1); wb.op(W.I32_SUB); } else wb.i32Const(c.target);
    };
    this.writeHeader(c.base, pushCallee);
    const direct = !c.byValue && c.target === this.root() && !this.mode.root.viaTable;
    const passFuel = direct && this.threaded;
    if (!passFuel) this.flushFuel();
    wb.localGet(this.fp); wb.i32Const(c.base + HEADER_SLOTS); wb.op(W.I32_ADD);
    c.sig.params.forEach((k, i) => wb.localGet(this.areaArg(k, i)));
    if (passFuel) {
      wb.localGet(this.fuelKept!); wb.call(this.wb.index); wb.localSet(this.fuelKept!);
      this.fuelDirty = true;                  // recursion passing fuel along
    } else if (direct) {
      wb.call(this.wb.index);                 // recursion: a direct call
    } else {
      pushCallee();
      wb.callIndirect(shapeType(this.mb, c.sig.params, c.sig.ret));
    }
    if (!passFuel) this.fuelCalledOut(inBranch);
    if (c.sig.ret !== null) this.set(c.dst, c.sig.ret);
  }

  //   cfp := fp + base + 2
  //   [if cfp + extent(g) > cells[HOST_LIMIT] { the call } else {]  ;; a framed body's frame must fit,
  //                                       ;; and those inlined in it (inlinedExtent); not tested
  //                                       ;; again inside a body whose test covered it
  //   [header: if the body has a frame; a leaf's where it traps]
  //   block $ret  <callee body; returns: result := v ; br $ret>  end
  //   dst := result
  //   [}]
  /** The body of g inline at a call. A body with a frame (it calls, allocates
   *  or publishes) is a frame like a called one's, on the frame stack, seen by
   *  the collector and in traces; where it would not fit (as a called g's
   *  prologue would find), the call is made instead. */
  private inlineCall(g: BcFunction, c: CallOperands, chain = deeper(inlineChain(this.mode), g)): void {
    const wb = this.wb;
    const framed = !isLeaf(g);
    const cfp = wb.local(ValType.I32);
    wb.localGet(this.fp); wb.i32Const(c.base + HEADER_SLOTS); wb.op(W.I32_ADD); wb.localSet(cfp);
    // A framed body tests the room its frame and the frames inlined in it
    // need, unless a body around it tested room enough for them all.
    let room = this.room() - (c.base + HEADER_SLOTS);
    const need = framed ? inlinedExtent(this.env, g, chain, this.mode.root.tier2, this.selfRoot()) : 0;
    const tested = framed && room < need;
    if (tested) {
      this.pastHostLimit(cfp, g, need);
      wb.if_(); this.callOut(c, true); wb.else_();
      room = need;
    }
    const header = () => this.writeHeader(c.base, () => wb.i32Const(g.index));
    if (framed) header();
    const result = g.ret === null ? null : wb.local(wasmType(g.ret));
    const ret = wb.block();
    const mode: Mode = { kind: 'inline', fp: cfp, ret, result, framed, header: framed ? null : header,
      chain, root: this.mode.root, fuel: this.fuelKept, fuelNow: this.fuelNowIn(), room };
    const body = new WasmFnLowering(this.env, this.mb, wb, g, mode, this.helpers);
    body.inlineEntry(g.params.map((k, i) => this.areaArg(k, i)));
    body.lowerBody(buildCfg(g, 0));
    wb.end();
    if (result !== null) { wb.localGet(result); this.set(c.dst, g.ret!); }
    if (tested) wb.end();
  }

  /** The slots from this body's frame pointer on known to fit below the
   *  host-stack limit: tested where this body, or one around it, was entered
   *  (inlinedExtent); 0 in a whole function or an OSR entry. */
  private room(): number {
    return this.mode.kind === 'inline' ? this.mode.room : 0;
  }

  /** The callee's frame header over the call area at `base` (frames.ts), for
   *  the call at this.pc: here, unless written as its loop is entered. */
  private writeHeader(base: number, pushCallee: () => void): void {
    if (!this.headerWritten.has(this.pc)) this.writeHeaderAt(this.pc, base, pushCallee);
  }

  private writeHeaderAt(pc: number, base: number, pushCallee: () => void): void {
    const wb = this.wb;
    const calleeBase = (base + HEADER_SLOTS) * 8;
    wb.localGet(this.fpb); pushCallee(); wb.store(W.I32_STORE, 2, calleeBase + headerByteOffset(Hdr.FN));
    wb.localGet(this.fpb); wb.localGet(this.fp); wb.store(W.I32_STORE, 2, calleeBase + headerByteOffset(Hdr.CALLER_FP));
    wb.localGet(this.fpb); wb.i32Const(pc + instrLength(this.code[pc] as Op));
    wb.store(W.I32_STORE, 2, calleeBase + headerByteOffset(Hdr.RESUME_PC));
    // RETURN_AT is written by the c2i adapter, the only way from compiled code
    // into an interpreted frame (compiled callees never read it).
  }

  private areaArg(k: ValKind, i: number): Local {
    const l = (k === Kind.F ? this.areaF : this.areaI)[i];
    if (!l) throw new Error(`argument ${i} of a call was never written`);
    return l;
  }

  /** CALLX: arguments to the frame slots the host reads, result via the scratch slot. */
  private callExtern(): void {
    const { wb, env } = this;
    const ext = env.mod.externs[this.a(0)]!;
    const base = this.a(1), dst = this.a(2);
    const argSlot0 = base + HEADER_SLOTS;
    ext.params.forEach((k, i) => {
      wb.localGet(this.fpb); wb.localGet(this.areaArg(k, i));
      wb.store(k === Kind.F ? W.F64_STORE : W.I32_STORE, k === Kind.F ? 3 : 2, (argSlot0 + i) * 8);
    });
    this.publish();
    wb.i32Const(this.a(0)); wb.localGet(this.fp); wb.i32Const(argSlot0); wb.op(W.I32_ADD);
    this.callHelper('callx');
    this.fuelCalledOut();
    if (ext.ret !== null) {
      wb.i32Const(0);
      wb.load(ext.ret === Kind.F ? W.F64_LOAD : W.I32_LOAD, ext.ret === Kind.F ? 3 : 2, SCRATCH_SLOT * 8);
      this.set(dst, ext.ret);
    }
  }
}
