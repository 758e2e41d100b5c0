// Lowering: one verified bytecode function to the source text of one JavaScript
// function (the JS analogue of ../wasm/lower.ts, with the same frames, traps and
// GC contract).
//
// The source is the body of a factory `new Function('env', source)`: it binds
// the shared values it uses from the backend's environment record (memory, the
// call table, runtime helpers) and returns
//
//     function f_NAME(fp, r0, r1, ...) { ... }     // whole function: native args
//     function f_NAME_osrPC(fp) { ... }            // OSR entry at loop header PC
//
// returning the result (i32 kind as an int32 number, f64 as a number, references
// as addresses; nothing for void).
//
// An OSR entry is itself entered by V8 only through V8's own OSR (it is called
// once and loops), and V8 compiles it while the loop's first iterations run:
// code after the loop has no type feedback yet. When that code is first reached
// the optimized code deoptimizes, and V8 (node 20) did not OSR the same frame
// again: mandelbrot 3000 ran 4x slower by OSR than compiled whole. So the entry
// returns to a small driver every OSR_REENTRY arrivals at its loop header, with
// every register written to its frame slot (the state it loads at entry), and
// the driver calls it again: a new call runs V8's code for the whole function,
// compiled with the feedback the first calls collected.
//
// What must stay true (docs/architecture.md, "Frames and roots"):
//   - registers are JS locals; a register of kind R is written through to its
//     frame slot (I32[fpi + 2r]) on every write, so the collector sees it;
//   - before a helper that may allocate or trap, the frame publishes itself
//     (I32[TOP_FP_WORD] = fp, I32[TOP_PC_WORD] = pc) — same pcs as every tier;
//   - the views (I32, F64, U16, U8) are re-read after anything that may allocate or
//     call (memory growth replaces them);
//   - a call writes the callee's header over the call area (function index, fp,
//     resume pc) and calls through `table` with native arguments; the c2i adapter
//     in an interpreted callee's slot writes header word 3;
//   - when the run is metered, fuel is counted at every call and taken loop
//     back-edge, charged to the interpreter's sites (countStep, runtime/limits.ts).
//     A function that makes no guest call counts on a local copy `fu` of the
//     cell (as the wasm backend does): read at entry and after an extern (which
//     may call back into the guest) or a poll, written back before whatever may
//     look at the cell (a helper that may trap, allocate or call out, a return
//     that a step may precede since the last write-back or read, an OSR entry's
//     exit to its driver), so the cell is exact wherever anyone else looks. A
//     function that calls counts on the cell itself (with the local, the store
//     before each call, the read after it and the callee's own read and store
//     cost fib 1.26-1.29x with both limits against 1.10-1.12x on the cell, whole
//     command lines); one that takes no step counts nothing;
//   - traps go through the helpers with the interpreter's messages and sites
//     (a null check is left out only where the same register was checked earlier
//     in the same basic block and not written since: it could not trap).
// Control flow comes from structure.ts: labelled blocks and `for (;;)` loops with
// `break`/`continue`; every path ends in a branch, return or throw.

import { Kind, Op, OP_INFO, HEADER_SLOTS, instrLength, isAluOp, isCmpOp, isSuperOp, writtenKind, stepSite, type AluOp } from '../../bytecode/opcodes.js';
import type { BcFunction, BcModule, ValKind } from '../../bytecode/module.js';
import { MATH1_FNS, MATH2_FNS } from '../../bytecode/builtins.js';
import { TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT, HOST_LIMIT_WORD, FUEL_WORD, CALLS_WORD } from '../../runtime/runtime.js';
import { CURSOR_WORD, LIMIT_WORD, HEADER_BYTES, KIND_MASK, ObjKind, arrayKindFor, blockSizeFor, BARRIER_MASK, BARRIER_ONCE, BARRIER_ALWAYS, MARK_BIT } from '../../runtime/heap.js';
import { Hdr, headerAt } from '../../runtime/frames.js';
import { buildCfg, Exit, type Block, type Cfg } from '../cfg.js';
import { allocated, fillingStores, forEachCheck, boundsProven, checksAtEntry, checksAtHeader, type CheckFacts } from '../checks.js';
import { structure, type StructuredSink } from '../structure.js';
import { countedLoops, type CountedLoop } from '../counted-loops.js';
import { decodeCall, interpHelper, isPure } from '../backend.js';
import { TrapCode } from '../helpers.js';
import { ALU, CMP, lit } from './ops.js';

/** Facts about the running VM that compiled code bakes in as constants. */
export interface JsLowerEnv {
  mod: BcModule;
  strAddrs: Int32Array;
  globalsSlot: number;
  frameSizes: Int32Array;
  /** Count fuel at every step (the run is metered: runtime/limits.ts). */
  fuel: boolean;
  /** Count every call in cells[CALLS] (tier events are on: runtime.ts). */
  countCalls: boolean;
}

export interface JsLowered {
  /** The factory body: `new Function('env', source)(env)` gives the function. */
  source: string;
}

/** Struct payloads up to this many 4-byte words are zeroed by single stores. */
const UNROLLED_ZERO_WORDS = 8;

/** Placeholder for "re-read the views", replaced once the views in use are known. */
const REFRESH = '\u0000refresh';

type Label = { name: string; loop: boolean };

/** An OSR entry leaves and is called again after this many arrivals at its
 *  loop header (see the header comment): 65,536 iterations of a loop cost far
 *  more than writing and reloading the frame's registers once. */
const OSR_REENTRY = 1 << 16;

/** A JS identifier for a guest function's compiled code. */
export function jsName(fn: BcFunction, osrPc: number | null): string {
  const base = `f_${fn.name.replace(/[^A-Za-z0-9_$]/g, '_')}`;
  return osrPc === null ? base : `${base}_osr${osrPc}`;
}

/** Lower `fn`: the whole function (osrPc null) or an OSR entry at loop header osrPc. */
export function lowerFunction(env: JsLowerEnv, fn: BcFunction, osrPc: number | null): JsLowered {
  const ctx = new JsFnLowering(env, fn, osrPc);
  ctx.prologue();
  ctx.lowerBody(buildCfg(fn, osrPc ?? 0), osrPc === null ? undefined : checksAtHeader(fn, osrPc));
  ctx.line(`throw new Error('unreachable code reached in ${jsName(fn, osrPc)}');`);
  return { source: ctx.finish() };
}

class JsFnLowering implements StructuredSink<Label> {
  private readonly code: Int32Array;
  private readonly osr: boolean;
  private readonly osrPc: number;
  private readonly name: string;
  private readonly lines: string[] = [];
  private depth = 1;
  private labels = 0;
  private pc = 0;
  /** Environment names the code uses (bound once in the factory). */
  private readonly needs = new Set<string>(['mem']);
  private readonly views = new Set<string>(['I32']);
  /** Call-area argument locals written so far: `ai3` (i32 or reference), `af3` (f64). */
  private readonly area = new Set<string>();
  /** The `stop` locals of counted loops (`st` + header block id). */
  private readonly stops = new Set<string>();
  /** Registers null-checked on every path to here and not written since (a
   *  second check could never trap), and the same at each block's entry (checks.ts). */
  private nonNull = new Set<number>();
  private entryFacts: CheckFacts[] = [];
  /** The run is metered and this function takes steps but makes no guest call:
   *  it keeps the counter in `fu`. */
  private readonly fuel: boolean;
  /** The run is metered and this function counts on the cell itself (it makes
   *  guest calls, or takes no step at all). */
  private readonly cellFuel: boolean;
  /** `fu` may differ from the cell: a step was taken since it was last read or
   *  written (a return then writes it back); at each block's entry, dirtyIn. */
  private fuelDirty = false;
  private dirtyIn: boolean[] = [];
  private block: Block | null = null;
  /** The stores that fill a struct just allocated (checks.ts fillingStores):
   *  they need no write barrier. */
  private readonly filling = new Set<number>();
  private cfg: Cfg | null = null;
  /** Counted loops (jit/counted-loops.ts), by header block id, when `fu` is kept;
   *  the one holding the block being emitted; each one's label. */
  private counted = new Map<number, CountedLoop>();
  private counting: CountedLoop | null = null;
  private readonly countedLabels = new Map<CountedLoop, Label>();
  /** For each open `if`: the counted loop whose latch it tests, or null. */
  private readonly elses: (CountedLoop | null)[] = [];

  constructor(private readonly env: JsLowerEnv, private readonly fn: BcFunction, osrPc: number | null) {
    this.code = fn.code;
    this.osr = osrPc !== null;
    this.osrPc = osrPc ?? -1;
    this.name = jsName(fn, osrPc);
    this.fuel = env.fuel && takesSteps(fn.code) && !callsGuest(fn.code);
    this.cellFuel = env.fuel && !this.fuel;
  }

  line(text: string): void { this.lines.push('  '.repeat(this.depth) + text); }

  // ---- entry and assembly ----------------------------------------------------------

  prologue(): void {
    const { fn, env } = this;
    if (this.osr) { this.loadAllRegisters(); this.fuelLoad(); return; }
    // Past the host-stack budget (or the frame stack's end: the helper traps):
    // the parameters go to their slots and the interpreter runs this frame.
    const spill = fn.params.map((k, r) => `${k === Kind.F ? `${this.view('F64')}[fp + ${r}]` : `I32[fpi + ${2 * r}]`} = r${r}; `).join('');
    this.line(`if (fp + ${env.frameSizes[fn.index]!} > I32[${HOST_LIMIT_WORD}]) { ${spill}return ${this.use(interpHelper(fn.ret))}(fp); }`);
    // The innermost frame, should the host stack run out in deeper compiled code.
    this.line(`I32[${TOP_FP_WORD}] = fp;`);
    fn.params.forEach((k, r) => { if (k === Kind.R) this.writeThrough(r); });
    this.fuelLoad();
  }

  /** OSR: every register comes from the frame slots the interpreter kept. */
  private loadAllRegisters(): void {
    this.fn.regKinds.forEach((k, r) => {
      if (r >= this.fn.areaBase) return;
      this.line(`r${r} = ${k === Kind.F ? `${this.view('F64')}[fp + ${r}]` : `I32[fpi + ${2 * r}]`};`);
    });
  }

  /** OSR: at the loop header, every OSR_REENTRY-th arrival writes every
   *  register to its slot (references are there already) and returns null, the
   *  driver's sign to call the entry again (finish()). */
  private reentryCheck(): void {
    const spill = Array.from(this.fn.regKinds, (k, r) => (r >= this.fn.areaBase || k === Kind.R ? ''
      : `${k === Kind.F ? `${this.view('F64')}[fp + ${r}]` : `I32[fpi + ${2 * r}]`} = r${r}; `)).join('');
    this.line(`if (++arrivals === ${OSR_REENTRY}) { ${spill}${this.fuelStoreText()}return null; }`);
  }

  /** The factory body: bindings, then the function with its declarations (and
   *  for an OSR entry, the driver that calls it until it returns a result). */
  finish(): string {
    const views = [...this.views].sort();
    const refresh = views.map((v) => `${v} = mem.${v.toLowerCase()};`).join(' ');
    const body = this.lines.map((l) => (l.endsWith(REFRESH) ? l.slice(0, -REFRESH.length) + refresh : l));
    const params = this.osr ? [] : this.fn.params.map((_, r) => `r${r}`);
    return [
      '"use strict";',
      ...[...this.needs].sort().map((n) => `const ${n} = env.${n};`),
      `${this.osr ? 'const entry =' : 'return'} function ${this.name}(${['fp', ...params].join(', ')}) {`,
      '  const fpi = fp << 1;',
      `  let ${views.map((v) => `${v} = mem.${v.toLowerCase()}`).join(', ')};`,
      ...(this.osr ? ['  let arrivals = 0;'] : []),
      ...this.declarations(body),
      ...body,
      '};',
      ...(this.osr ? [`return function ${this.name}_driver(fp) {`,
        '  for (;;) { const r = entry(fp); if (r !== null) return r; }', '};'] : []),
    ].join('\n');
  }

  /** `let` for the registers that are not parameters, the call-area locals and
   *  the temporaries the body uses. */
  private declarations(body: string[]): string[] {
    const { fn } = this;
    const names: string[] = [];
    fn.regKinds.forEach((_, r) => { if (r < fn.areaBase && (this.osr || r >= fn.params.length)) names.push(`r${r}`); });
    if (this.fuel) names.push('fu', ...[...this.stops].sort());
    names.push(...[...this.area].sort());
    names.push(...['t0', 't1', 't2'].filter((t) => body.some((l) => new RegExp(`\\b${t}\\b`).test(l))));
    return names.length === 0 ? [] : [`  let ${names.map((n) => `${n} = 0`).join(', ')};`];
  }

  // ---- the structured sink ---------------------------------------------------------

  /** Emit the code of cfg's blocks, structured. */
  /** `atEntry`: the checks known made when its entry block is first reached
   *  (an OSR entry's, checks.ts). */
  lowerBody(cfg: Cfg, atEntry?: CheckFacts): void {
    this.cfg = cfg;
    this.entryFacts = checksAtEntry(cfg, atEntry);
    if (this.fuel) this.dirtyIn = fuelDirtyAtEntry(cfg, this.code);
    if (this.fuel) this.counted = countedLoops(cfg, this.code);
    structure(cfg, this);
  }

  body(b: Block): void {
    this.nonNull = new Set(this.entryFacts[b.id]!.nonNull);
    this.block = b;
    this.fuelDirty = this.dirtyIn[b.id] ?? false;
    this.counting = this.countedHolding(b.id);
    if (b.start === this.osrPc) this.reentryCheck();
    for (let pc = b.start; pc <= b.last; pc += instrLength(this.code[pc] as Op)) {
      this.pc = pc;
      const op = this.code[pc] as Op;
      if (pc === b.last && b.exit !== Exit.GOTO) {
        if (op === Op.FORLOOP || op === Op.FORLOOPK) this.set(this.a(0), Kind.I, `(${this.r(this.a(0))} + 1) | 0`);
        return;
      }
      if (pc === b.last && (op === Op.JMP || op === Op.JMPLOOP)) {
        if (op === Op.JMPLOOP) this.countStep();
        return;
      }
      this.instr(op);
      const made = allocated(this.fn, this.code, pc);
      if (made !== null) this.nonNull.add(made);
    }
  }

  terminate(b: Block): void {
    this.block = b;
    this.counting = this.countedHolding(b.id);
    this.pc = b.last;
    this.instr(this.code[b.last] as Op);
  }

  /** (A FORLOOP's taken branch, the back-edge, begins with its step.) */
  openIf(b: Block): void {
    this.pc = b.last;
    this.counting = this.countedHolding(b.id);
    const op = this.code[b.last] as Op;
    const l = this.counting?.latch === b.id ? this.counting : null;
    this.line(`if (${l !== null ? `${this.r(l.v)} < st${l.header}` : this.condition(op)}) {`);
    this.depth++;
    this.elses.push(l);
    if (OP_INFO[op].step && l === null) this.countStep();
  }

  openElse(): void {
    this.counting = null;
    this.depth--; this.line('} else {'); this.depth++;
    const l = this.elses.pop();
    if (l !== undefined && l !== null) this.countedSlowPath(l);
  }

  /** On an edge leaving a counted loop, `fu` becomes the counter again; on
   *  an edge back to a counted loop's header from outside it (an enclosing
   *  loop an OSR entry nests through that header), the loop is armed again. */
  edge(from: number, to: number): void {
    const l = this.countedHolding(from);
    if (l !== null && !l.blocks.has(to)) {
      this.line(`fu = ${this.keptNow(l, from === l.latch)};`);
      this.fuelDirty = true;
    }
    const into = this.counted.get(to);
    if (into === undefined || into.blocks.has(from) || to > from) return;
    this.armCounted(into);
  }

  openBlock(): Label { return this.open(false); }
  openLoop(b: Block): Label {
    const l = this.counted.get(b.id);
    if (l === undefined) return this.open(true);
    this.armCounted(l);
    const label = this.open(true);
    this.countedLabels.set(l, label);
    return label;
  }

  // ---- counted loops (as the wasm backend's: ../wasm/lower.ts, "counted loops") ----
  //
  //   st := min(fu + v + 1, bound)   (the lowest int32 if fu < 0) ; fu := fu + v
  //
  // on entry; the counter is fu - v in the body (+1 past the FORLOOP's
  // increment), written so before a helper and into fu on every edge out; the
  // back-edge's test is `v < st`, and when it fails while `v < bound` the step
  // is taken as any other (a poll when the counter runs out) and the loop
  // armed again.

  private countedHolding(b: number): CountedLoop | null {
    for (const l of this.counted.values()) if (l.blocks.has(b)) return l;
    return null;
  }

  private bound(l: CountedLoop): string { return 'reg' in l.bound ? this.r(l.bound.reg) : lit(l.bound.imm); }

  /** The counter's value in counted loop l (past its FORLOOP's increment: the
   *  back-edge not yet counted). */
  private keptNow(l: CountedLoop, pastIncrement: boolean): string {
    return `(fu - ${this.r(l.v)}${pastIncrement ? ' + 1' : ''}) | 0`;
  }

  private armCounted(l: CountedLoop): void {
    const v = this.r(l.v), st = `st${l.header}`, bound = this.bound(l);
    this.stops.add(st);
    this.line(`${st} = fu < 0 ? -2147483648 : (fu + ${v} + 1) | 0; if (${bound} < ${st}) ${st} = ${bound}; fu = (fu + ${v}) | 0;`);
    this.fuelDirty = true;
  }

  /** The else branch of a counted FORLOOP's `v < st`: the back-edge taken as
   *  any other step, the loop armed again; else the loop ends. */
  private countedSlowPath(l: CountedLoop): void {
    this.line(`if (${this.r(l.v)} < ${this.bound(l)}) {`);
    this.depth++;
    this.pc = this.cfg!.blocks[l.latch]!.last;
    this.line(`fu = ${this.keptNow(l, true)};`);
    this.countStep();
    this.armCounted(l);
    this.line(`continue ${this.countedLabels.get(l)!.name};`);
    this.depth--;
    this.line('}');
  }

  private open(loop: boolean): Label {
    const label = { name: `L${this.labels++}`, loop };
    this.line(loop ? `${label.name}: for (;;) {` : `${label.name}: {`);
    this.depth++;
    return label;
  }

  close(): void { this.depth--; this.line('}'); }
  br(label: Label): void { this.line(`${label.loop ? 'continue' : 'break'} ${label.name};`); }

  // ---- operands --------------------------------------------------------------------

  private a(i: number): number { return this.code[this.pc + 1 + i]!; }

  /** The local holding register r (not a call-area register). */
  private r(r: number): string {
    if (r >= this.fn.areaBase) throw new Error(`call area register r${r} read outside a call`);
    return `r${r}`;
  }

  private use(name: string): string { this.needs.add(name); return name; }

  /** After a store of the reference `value` into the object `obj`: if it is OLD
   *  and not yet LOGGED (or a big array), and the value is young, log it
   *  (runtime/heap.ts barrierNeeded and youngRef, runtime/gc.ts). */
  private writeBarrier(op: Op, obj: string, index: string, value: string): void {
    if (!OP_INFO[op].barrier) return;
    const t = `(I32[${obj} >> 2] & ${BARRIER_MASK})`;
    this.line(`if ((${t} === ${BARRIER_ONCE} || ${t} >= ${BARRIER_ALWAYS}) && ${value} !== 0 && (I32[${value} >> 2] & ${MARK_BIT}) === 0) ` +
      `${this.use('remember')}(${obj}, ${index});`);
  }
  private view(v: 'F64' | 'U16' | 'U8'): string { this.views.add(v); return v; }

  /** Register r (kind k) := expr; references are written through to their slot.
   *  With `afterCall`, the views are re-read between the two (the expression may
   *  have grown the memory). */
  private set(r: number, k: ValKind, expr: string, afterCall = false): void {
    if (r >= this.fn.areaBase) {
      const name = `a${k === Kind.F ? 'f' : 'i'}${r - this.fn.areaBase - HEADER_SLOTS}`;
      this.area.add(name);
      this.line(`${name} = ${expr};`);
      if (afterCall) this.refresh();
      return;
    }
    this.line(`r${r} = ${expr};`);
    this.nonNull.delete(r);
    if (afterCall) this.refresh();
    if (k === Kind.R) this.writeThrough(r);
  }

  private writeThrough(r: number): void { this.line(`I32[fpi + ${2 * r}] = r${r};`); }

  /** Re-read the views after anything that may have grown the memory. */
  private refresh(): void { this.line(REFRESH); }

  /** The local holding argument i (kind k) of the call being lowered. */
  private areaArg(k: ValKind, i: number): string {
    const name = `a${k === Kind.F ? 'f' : 'i'}${i}`;
    if (!this.area.has(name)) throw new Error(`argument ${i} of a call was never written`);
    return name;
  }

  /** Tell the runtime where this frame is before a helper that may allocate or trap. */
  /** (And write the fuel counter back: every helper published for may trap,
   *  allocate or call out.) */
  private publish(): void { this.line(`I32[${TOP_FP_WORD}] = fp; I32[${TOP_PC_WORD}] = ${this.pc};${this.fuelStoreText(' ')}`); }

  /** One step of fuel for the instruction at this.pc (runtime/limits.ts), when
   *  the run is metered: the slow path refills the counter or traps at the site. */
  private countStep(): void {
    if (this.cellFuel) { this.line(`if ((I32[${FUEL_WORD}] = I32[${FUEL_WORD}] - 1) < 0) ${this.use('poll')}(fp, ${stepSite(this.code, this.pc)});`); return; }
    if (!this.fuel) return;
    this.line(`if ((fu = (fu - 1) | 0) < 0) { I32[${FUEL_WORD}] = fu; ${this.use('poll')}(fp, ${stepSite(this.code, this.pc)}); fu = I32[${FUEL_WORD}]; }`);
    this.fuelDirty = true;
  }

  /** The counter's local from the cell (at entry, after what may change the cell). */
  private fuelLoad(): void { if (this.fuel) this.line(`fu = I32[${FUEL_WORD}];`); this.fuelDirty = false; }

  /** After a guest call or an extern (written back before it): the callee
   *  counted on the cell, so read it back, unless this function returns before
   *  anything else could read it (fib's `return fib(n - 1) + fib(n - 2)`). */
  private fuelCalledOut(): void {
    if (!this.onlyReturnFollows()) this.fuelLoad();
    this.fuelDirty = false;
  }

  /** After the instruction at this.pc, does this function return, with only
   *  pure instructions before? */
  private onlyReturnFollows(): boolean {
    const b = this.block!;
    if (b.exit !== Exit.RETURN) return false;
    const last = this.code[b.last] as Op;
    if (last !== Op.RETV && last !== Op.RETI && last !== Op.RETF && last !== Op.RETR) return false;
    for (let pc = this.pc + instrLength(this.code[this.pc] as Op); pc < b.last; pc += instrLength(this.code[pc] as Op)) {
      if (!isPure(this.code[pc] as Op)) return false;
    }
    return true;
  }
  /** The counter's local to the cell (before what may look at it). */
  private fuelStore(): void { if (this.fuel) this.line(this.fuelStoreText().trimEnd()); }
  private fuelStoreText(before = ''): string {
    if (!this.fuel) return '';
    return `${before}I32[${FUEL_WORD}] = ${this.counting !== null ? this.keptNow(this.counting, false) : 'fu'}; `;
  }

  private trapIf(cond: string, code: TrapCode): void {
    const trap = `${this.use('trap')}(${code}, fp, ${this.pc});`;
    this.line(`if (${cond}) ${this.fuel ? `{ ${this.fuelStoreText()}${trap} }` : trap}`);
  }

  private nullCheck(r: number): void {
    if (this.nonNull.has(r)) return;
    this.trapIf(`${this.r(r)} === 0`, TrapCode.NULL);
    this.nonNull.add(r);
  }

  /** Trap unless 0 <= R[i] < length of the object in R[obj] (t0 := the length;
   *  nothing where constants prove it: an array literal's stores, checks.ts
   *  boundsProven). */
  private boundsCheck(obj: number, i: number): void {
    if (boundsProven(this.fn).has(this.pc)) return;
    const ri = this.r(i);
    this.line(`t0 = I32[(${this.r(obj)} >> 2) + 1];`);
    const trap = `${this.use('trap_index')}(${ri}, t0, fp, ${this.pc});`;
    this.line(`if ((${ri} >>> 0) >= t0) ${this.fuel ? `{ ${this.fuelStoreText()}${trap} }` : trap}`);
  }

  private f64Const(k: number): string { return lit(this.env.mod.f64Consts[k]!); }

  // ---- instructions ----------------------------------------------------------------

  /** The condition under which the conditional jump at this.pc is taken. */
  private condition(op: Op): string {
    const a = (i: number) => this.a(i);
    if (isCmpOp(op)) {
      const rhs = OP_INFO[op].args[1] === 'imm' ? lit(a(1)) : this.r(a(1));
      return `${this.r(a(0))} ${CMP[OP_INFO[op].cmp!]} ${rhs}`;
    }
    switch (op) {
      case Op.JT: return `${this.r(a(0))} !== 0`;
      case Op.JF: return `${this.r(a(0))} === 0`;
      case Op.FORLOOP: return `${this.r(a(0))} < ${this.r(a(1))}`;
      case Op.FORLOOPK: return `${this.r(a(0))} < ${lit(a(1))}`;
      default: throw new Error(`${OP_INFO[op].name} is not a conditional jump`);
    }
  }

  /** A pure operation: the ALU template over its operands (registers,
   *  immediates, f64 constants); the result to R[A]. */
  private alu(op: AluOp): void {
    const info = OP_INFO[op];
    const t = ALU[info.alu!];
    if (t.needs) this.use(t.needs);
    const operands = info.args.slice(1).map((kind, i) => {
      const v = this.a(i + 1);
      return kind === 'imm' ? lit(v) : kind === 'kf' ? this.f64Const(v) : this.r(v);
    });
    this.set(this.a(0), writtenKind(op), t.expr(operands[0]!, operands[1] ?? ''));
  }

  /** One instruction that is not a block's branch. Exhaustive over Op. */
  private instr(op: Op): void {
    const a = (i: number) => this.a(i);
    const r = (i: number) => this.r(a(i));
    const variant = OP_INFO[op].variant ?? Kind.I;
    forEachCheck(this.code, this.pc, (r) => this.nullCheck(r), (o, i) => this.boundsCheck(o, i));
    if (isAluOp(op)) return this.alu(op);
    if (isCmpOp(op)) throw new Error(`${OP_INFO[op].name} is lowered as a block's branch`);
    if (isSuperOp(op)) throw new Error(`${OP_INFO[op].name}: compiled code reads plain instructions (bytecode/fuse.ts)`);
    switch (op) {
      case Op.LOADI: return this.set(a(0), Kind.I, lit(a(1)));
      case Op.LOADF: return this.set(a(0), Kind.F, this.f64Const(a(1)));
      case Op.LOADS: return this.set(a(0), Kind.R, String(this.env.strAddrs[a(1)]!));
      case Op.LOADNULL: return this.set(a(0), Kind.R, '0');
      case Op.LOADFN: return this.set(a(0), Kind.I, String(a(1) + 1));
      case Op.DIV: case Op.REM: return this.divide(op);
      case Op.STREQ: case Op.STRNE:
        return this.set(a(0), Kind.I, `${op === Op.STRNE ? '1 ^ ' : ''}${this.use('streq')}(${r(1)}, ${r(2)})`);
      case Op.JMP: case Op.JMPLOOP: case Op.FORLOOP: case Op.FORLOOPK: case Op.JT: case Op.JF:
        throw new Error(`${OP_INFO[op].name} is lowered as a block's branch`);
      case Op.CALL: case Op.CALLV: return this.call(op);
      case Op.CALLX: return this.callExtern();
      case Op.RETV: if (this.fuelDirty) this.fuelStore(); return this.line('return;');
      case Op.RETI: case Op.RETF: case Op.RETR: if (this.fuelDirty) this.fuelStore(); return this.line(`return ${r(0)};`);
      case Op.NEWSTRUCT: return this.newStruct();
      case Op.GETFI: case Op.GETFF: case Op.GETFR: return this.set(a(0), variant, this.field(a(1), a(2), variant));
      case Op.SETFI: case Op.SETFF: case Op.SETFR:
        this.line(`${this.field(a(0), a(1), variant)} = ${r(2)};`);
        return this.filling.has(this.pc) ? undefined : this.writeBarrier(op, r(0), '-1', r(2));
      case Op.NEWARRI: case Op.NEWARRF: case Op.NEWARRR: case Op.NEWARRB:
        this.publish();
        return this.set(a(0), Kind.R, `${this.use('new_array')}(${arrayKindFor(variant, OP_INFO[op].elementBytes)}, ${r(1)})`, true);
      case Op.AGETI: case Op.AGETF: case Op.AGETR: case Op.AGETB:
        return this.set(a(0), variant, this.element(a(1), a(2), OP_INFO[op].elementBytes!));
      case Op.ASETI: case Op.ASETF: case Op.ASETR: case Op.ASETB:
        this.line(`${this.element(a(0), a(1), OP_INFO[op].elementBytes!)} = ${r(2)};`);
        return this.writeBarrier(op, r(0), r(1), r(2));
      case Op.LEN: return this.set(a(0), Kind.I, `I32[(${r(1)} >> 2) + 1]`);
      case Op.SGET: {
        // A rope (runtime/heap.ts, ropes) is read through its flat string (at
        // +8 once flattened); `flat` makes it, and may grow the memory: the
        // views are read again then.
        const s = r(1), isStr = `(I32[${s} >> 2] & ${KIND_MASK}) === ${ObjKind.STR}`;
        this.line(`if (!(${isStr}) && I32[(${s} >> 2) + 3] !== 0) { ${this.fuelStoreText()}${this.use('flat')}(${s}, fp, ${this.pc});`);
        this.refresh(); this.line('}');
        return this.set(a(0), Kind.I, `${this.view('U16')}[((${isStr} ? ${s} : I32[(${s} >> 2) + 2]) >> 1) + ${HEADER_BYTES / 2} + ${r(2)}]`);
      }
      case Op.CONCAT:
        this.publish();
        return this.set(a(0), Kind.R, `${this.use('concat')}(${r(1)}, ${r(2)})`, true);
      case Op.SBSTR:
        this.publish();
        return this.set(a(0), Kind.R, `${this.use('sb_str')}(${r(1)})`, true);
      case Op.SBAPPEND:
        this.publish();
        return this.set(a(0), Kind.R, `${this.use('sb_append')}(${r(1)}, ${r(2)})`, true);
      case Op.GETGI: case Op.GETGR: case Op.GETGF: return this.set(a(0), variant, this.global(a(1), variant));
      case Op.SETGI: case Op.SETGR: case Op.SETGF: return this.line(`${this.global(a(0), variant)} = ${r(1)};`);
      case Op.OUTI: case Op.OUTF: case Op.OUTB: case Op.OUTS:
        this.fuelStore();
        return this.line(`${this.use(OP_INFO[op].helper!)}(${r(0)}, ${a(1)});`);
      case Op.TOSTRI: case Op.TOSTRF: case Op.TOSTRB:
        this.publish();
        return this.set(a(0), Kind.R, `${this.use(OP_INFO[op].helper!)}(${r(1)})`, true);
      case Op.MATH1: return this.set(a(0), Kind.F, `${this.use(MATH1_FNS[a(2)]!)}(${r(1)})`);
      case Op.MATH2: return this.set(a(0), Kind.F, `${this.use(MATH2_FNS[a(3)]!)}(${r(1)}, ${r(2)})`);
      case Op.CLOCK: return this.set(a(0), Kind.F, `${this.use('clock')}()`);
      case Op.FIXED: this.publish(); return this.set(a(0), Kind.R, `${this.use('fixed')}(${r(1)}, ${r(2)})`, true);
      case Op.CHR: this.publish(); return this.set(a(0), Kind.R, `${this.use('chr')}(${r(1)})`, true);
      case Op.SUBSTR:
        this.publish();
        return this.set(a(0), Kind.R, `${this.use('substr')}(${r(1)}, ${r(2)}, ${r(3)})`, true);
      case Op.PARSEI: this.publish(); return this.set(a(0), Kind.I, `${this.use('parse_i')}(${r(1)}) | 0`);
      case Op.PARSEF: this.publish(); return this.set(a(0), Kind.F, `${this.use('parse_f')}(${r(1)})`);
      case Op.READLINE: this.publish(); return this.set(a(0), Kind.R, `${this.use('read_line')}()`, true);
      case Op.PANIC:
        this.publish();
        this.line(`${this.use('panic')}(${r(0)});`);
        return this.line(`throw new Error('panic helper returned');`);
      default: {
        const unknown: never = op;
        throw new Error(`cannot lower opcode ${unknown as number}`);
      }
    }
  }

  /** Field at byte offset off of the struct in R[o], as a view element. */
  private field(o: number, off: number, k: Kind): string {
    return k === Kind.F ? `${this.view('F64')}[(${this.r(o)} + ${off}) >> 3]` : `I32[(${this.r(o)} + ${off}) >> 2]`;
  }

  /** Global g of kind k, as a view element. */
  private global(g: number, k: Kind): string {
    const slot = this.env.globalsSlot + g;
    return k === Kind.F ? `${this.view('F64')}[${slot}]` : `I32[${slot * 2}]`;
  }

  //   R[C] == 0                      -> trap division by zero
  //   DIV: R[B] == MIN && R[C] == -1 -> trap integer overflow
  private divide(op: Op): void {
    const x = this.r(this.a(1)), y = this.r(this.a(2));
    this.trapIf(`${y} === 0`, TrapCode.DIV_ZERO);
    if (op === Op.DIV) this.trapIf(`${y} === -1 && ${x} === -2147483648`, TrapCode.OVERFLOW);
    this.set(this.a(0), Kind.I, op === Op.DIV ? `(${x} / ${y}) | 0` : `(${x} % ${y}) | 0`);
  }

  //   t0 := cursor; t1 := t0 + size
  //   if t1 > limit { publish; t0 := new_struct(st) }      window used up
  //   else { cursor := t1; header; zero the fields }       inline bump
  private newStruct(): void {
    const st = this.a(1);
    const size = blockSizeFor(this.env.mod.structs[st]!.size);
    this.line(`t0 = I32[${CURSOR_WORD}]; t1 = t0 + ${size};`);
    this.line(`if (t1 > I32[${LIMIT_WORD}]) {`);
    this.depth++;
    this.publish();
    this.line(`t0 = ${this.use('new_struct')}(${st});`);
    this.refresh();
    this.depth--;
    this.line('} else {');
    this.depth++;
    this.line(`I32[${CURSOR_WORD}] = t1; t2 = t0 >> 2;`);
    this.line(`I32[t2] = ${ObjKind.STRUCT | (st << 8)}; I32[t2 + 1] = 0;`);
    const words = (size - HEADER_BYTES) / 4, first = HEADER_BYTES / 4;
    const { stores, zero } = fillingStores(this.code, this.pc, this.block!.last, size - HEADER_BYTES);
    for (const at of stores) this.filling.add(at);
    const left = zero.flatMap((z, w) => (z ? [w] : []));
    if (words > UNROLLED_ZERO_WORDS && left.length === words) this.line(`I32.fill(0, t2 + ${first}, t2 + ${first + words});`);
    else if (left.length > 0) this.line(left.map((w) => `I32[t2 + ${first + w}] = 0;`).join(' '));
    this.depth--;
    this.line('}');
    this.set(this.a(0), Kind.R, 't0');
  }

  /** Index expression of element R[i] of the array in R[arr], whose elements
   *  take `bytes` each (f64; i32 and references; bool). */
  private element(arr: number, i: number, bytes: number): string {
    const a = this.r(arr), idx = this.r(i);
    if (bytes === 8) return `${this.view('F64')}[(${a} >> 3) + ${HEADER_BYTES / 8} + ${idx}]`;
    if (bytes === 1) return `${this.view('U8')}[${a} + ${HEADER_BYTES} + ${idx}]`;
    return `I32[(${a} >> 2) + ${HEADER_BYTES / 4} + ${idx}]`;
  }

  //   I32[header] := callee, fp, resume pc            (over the call area)
  //   R[dst] := table[callee](fp + base + 2, args...)   (a direct call for self-recursion)
  // (CALLV's null check is made.)
  private call(op: Op): void {
    const { fn, env } = this;
    const c = decodeCall(env.mod, this.code, this.pc);
    this.countStep();
    if (env.countCalls) this.line(`I32[${CALLS_WORD}] = (I32[${CALLS_WORD}] + 1) | 0;`);
    let callee = String(c.target);
    if (c.byValue) {
      this.line(`t0 = ${this.r(c.target)} - 1;`);
      callee = 't0';
    }
    const h = headerAt(c.base + HEADER_SLOTS);     // relative to fpi: the callee's header
    this.line(`I32[fpi + ${h + Hdr.FN}] = ${callee}; I32[fpi + ${h + Hdr.CALLER_FP}] = fp; ` +
      `I32[fpi + ${h + Hdr.RESUME_PC}] = ${this.pc + instrLength(op)};`);
    const self = !c.byValue && c.target === fn.index && !this.osr;
    const target = self ? this.name : `${this.use('table')}[${callee}]`;
    const args = [`fp + ${c.base + HEADER_SLOTS}`, ...c.sig.params.map((k, i) => this.areaArg(k, i))];
    const expr = `${target}(${args.join(', ')})`;
    this.fuelStore();
    if (c.sig.ret === null) { this.line(`${expr};`); this.refresh(); } else this.set(c.dst, c.sig.ret, expr, true);
    this.fuelCalledOut();
  }

  /** CALLX: arguments to the frame slots the host reads, result via the scratch slot. */
  private callExtern(): void {
    const ext = this.env.mod.externs[this.a(0)]!;
    const dst = this.a(2);
    const argSlot0 = this.a(1) + HEADER_SLOTS;
    ext.params.forEach((k, i) => {
      const slot = k === Kind.F ? `${this.view('F64')}[fp + ${argSlot0 + i}]` : `I32[fpi + ${2 * (argSlot0 + i)}]`;
      this.line(`${slot} = ${this.areaArg(k, i)};`);
    });
    this.publish();
    this.line(`${this.use('callx')}(${this.a(0)}, fp + ${argSlot0});`);
    this.refresh();
    this.fuelCalledOut();
    if (ext.ret !== null) {
      this.set(dst, ext.ret, ext.ret === Kind.F ? `${this.view('F64')}[${SCRATCH_SLOT}]` : `I32[${SCRATCH_SLOT * 2}]`);
    }
  }
}

/** The function takes a step itself (a call, a loop back-edge) or calls an
 *  extern (which may call back into the guest): only then it keeps a counter. */
function takesSteps(code: Int32Array): boolean {
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) {
    const op = code[pc] as Op;
    if (OP_INFO[op].step || op === Op.CALLX) return true;
  }
  return false;
}

/** Whether `fu` may differ from the cell at the entry of each block of cfg: at
 *  the entry, false (the counter was just read); elsewhere, true where a path
 *  from a step reaches the block with no guest call or extern call since
 *  (those leave the counter just read back, or the cell exact). */
function fuelDirtyAtEntry(cfg: Cfg, code: Int32Array): boolean[] {
  const dirtyIn = cfg.blocks.map(() => false);
  const out = cfg.blocks.map(() => false);
  for (let changed = true; changed;) {
    changed = false;
    for (const b of cfg.blocks) {
      let dirty = b.preds.some((p) => out[p]);
      dirtyIn[b.id] = dirty;
      for (let pc = b.start; pc <= b.last; pc += instrLength(code[pc] as Op)) {
        const op = code[pc] as Op;
        if (op === Op.CALL || op === Op.CALLV || op === Op.CALLX) dirty = false;
        else if (OP_INFO[op].step) dirty = true;
      }
      if (dirty !== out[b.id]) { out[b.id] = dirty; changed = true; }
    }
  }
  return dirtyIn;
}

/** The function makes a guest call (CALL, CALLV). */
function callsGuest(code: Int32Array): boolean {
  for (let pc = 0; pc < code.length; pc += instrLength(code[pc] as Op)) {
    const op = code[pc] as Op;
    if (op === Op.CALL || op === Op.CALLV) return true;
  }
  return false;
}
