// Tier 0: the bytecode interpreter. Needs no code generation of any kind.
//
// run() executes from an entry frame until that frame returns to the host. A guest
// call pushes a frame on the frame stack in linear memory and stays in this loop:
// no host recursion and no host allocation per call or per arithmetic operation
// (frames, registers and counters all live in typed arrays). Registers of frame fp:
// i32-kind register r is I32[(fp + r) << 1], f64 register r is F64[fp + r].
//
// Invariants the loop keeps:
// - `fn`, `code`, `fp` describe the running frame; `pc` is its next instruction.
// - A caller's resume position and result register are in the callee's header, so
//   a trap anywhere can rebuild the guest stack trace from memory (errors.ts).
// - After any instruction that may allocate, the views are re-read (memory may
//   have grown).
// - counters[2f] counts calls of f, counters[2f+1] loop back-edges in f.

import { Op, HEADER_SLOTS, Kind } from '../bytecode/opcodes.js';
import { Trap, GuestFault } from '../runtime/errors.js';
import { ObjKind } from '../runtime/heap.js';
import { type Runtime, TOP_FP_WORD, TOP_PC_WORD, SCRATCH_SLOT } from '../runtime/runtime.js';
import { formatF64, fixed, chr, parseI32, parseF64, f64ToI32, MATH1, MATH2 } from '../runtime/builtins.js';
import { callExtern } from '../runtime/externs.js';

export { GuestFault };

/** Run function fn, whose frame is at fp, through its compiled entry; the result
 *  goes to the host (rt.resultI / rt.resultF) as if the frame had returned. */
function runCompiled(rt: Runtime, fn: number, fp: number): void {
  rt.entries[fn]!(fp, SCRATCH_SLOT << 3);
  const i32 = rt.mem.i32;
  if (rt.mod.functions[fn]!.ret === Kind.F) rt.resultF = rt.mem.f64[SCRATCH_SLOT]!;
  else rt.resultI = i32[SCRATCH_SLOT << 1]!;
  i32[TOP_FP_WORD] = i32[((fp - HEADER_SLOTS) << 1) + 1]!;
}

/** A frame finished in compiled code (after OSR) with raw result r: store it where
 *  the frame's caller wants it. False when the caller is the host. */
function storeResult(rt: Runtime, fp: number, fn: number, r: number): boolean {
  const i32 = rt.mem.i32;
  const h = (fp - HEADER_SLOTS) << 1;
  const dst = i32[h + 3]!, callerFp = i32[h + 1]!;
  const kind = rt.mod.functions[fn]!.ret;
  if (dst < 0) {
    if (kind === Kind.F) rt.resultF = r; else rt.resultI = r;
    i32[TOP_FP_WORD] = callerFp;
    return false;
  }
  if (kind === Kind.F) rt.mem.f64[callerFp + dst] = r;
  else if (kind !== null) i32[(callerFp + dst) << 1] = r;
  return true;
}

function nullRef(): never { throw new Trap('null reference'); }
function outOfBounds(i: number, len: number): never { throw new Trap(`index ${i} out of bounds for length ${len}`); }

/** Run the frame at `entryFp` (already pushed) until it returns to the host. */
export function run(rt: Runtime, entryFp: number): void {
  const codes = rt.codes, frameSizes = rt.frameSizes, counters = rt.counters;
  const kf = rt.f64Consts, ks = rt.strAddrs, heap = rt.heap, mem = rt.mem, out = rt.out;
  const gb = rt.globalsSlot, stackEnd = rt.stackEndSlot;
  const entries = rt.entries, tiering = rt.tiering;
  const callHot = tiering.callThreshold;
  const loopHot = tiering.loopThreshold || 0x7fffffff;
  let I32 = mem.i32, F64 = mem.f64, U16 = mem.u16;
  let fp = entryFp;
  let fn = I32[(fp - HEADER_SLOTS) << 1]!;
  if (entries[fn] !== null) { runCompiled(rt, fn, fp); return; }
  let code = codes[fn]!;
  let pc = 0;
  try {
    for (;;) {
      switch (code[pc] as Op) {
        case Op.LOADI: I32[(fp + code[pc + 1]!) << 1] = code[pc + 2]!; pc += 3; break;
        case Op.LOADF: F64[fp + code[pc + 1]!] = kf[code[pc + 2]!]!; pc += 3; break;
        case Op.LOADS: I32[(fp + code[pc + 1]!) << 1] = ks[code[pc + 2]!]!; pc += 3; break;
        case Op.LOADNULL: I32[(fp + code[pc + 1]!) << 1] = 0; pc += 2; break;
        case Op.LOADFN: I32[(fp + code[pc + 1]!) << 1] = code[pc + 2]! + 1; pc += 3; break;
        case Op.MOVI: case Op.MOVR: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]!; pc += 3; break;
        case Op.MOVF: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]!; pc += 3; break;

        case Op.ADD: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! + I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.SUB: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! - I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.MUL: I32[(fp + code[pc + 1]!) << 1] = Math.imul(I32[(fp + code[pc + 2]!) << 1]!, I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;
        case Op.DIV: {
          const x = I32[(fp + code[pc + 2]!) << 1]!, y = I32[(fp + code[pc + 3]!) << 1]!;
          if (y === 0) throw new Trap('division by zero');
          if (y === -1 && x === -2147483648) throw new Trap('integer overflow');
          I32[(fp + code[pc + 1]!) << 1] = (x / y) | 0; pc += 4; break;
        }
        case Op.REM: {
          const x = I32[(fp + code[pc + 2]!) << 1]!, y = I32[(fp + code[pc + 3]!) << 1]!;
          if (y === 0) throw new Trap('division by zero');
          I32[(fp + code[pc + 1]!) << 1] = x % y; pc += 4; break;
        }
        case Op.AND: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! & I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.OR: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! | I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.XOR: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! ^ I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.SHL: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! << I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.SHR: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! >> I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.SHRU: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! >>> I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        case Op.ADDI: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! + code[pc + 3]!; pc += 4; break;
        case Op.MULK: I32[(fp + code[pc + 1]!) << 1] = Math.imul(I32[(fp + code[pc + 2]!) << 1]!, code[pc + 3]!); pc += 4; break;
        case Op.DIVK: I32[(fp + code[pc + 1]!) << 1] = (I32[(fp + code[pc + 2]!) << 1]! / code[pc + 3]!) | 0; pc += 4; break;
        case Op.REMK: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! % code[pc + 3]!; pc += 4; break;
        case Op.NEG: I32[(fp + code[pc + 1]!) << 1] = -I32[(fp + code[pc + 2]!) << 1]!; pc += 3; break;
        case Op.BNOT: I32[(fp + code[pc + 1]!) << 1] = ~I32[(fp + code[pc + 2]!) << 1]!; pc += 3; break;
        case Op.NOT: I32[(fp + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]! ^ 1; pc += 3; break;

        case Op.EQ: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1] === I32[(fp + code[pc + 3]!) << 1]); pc += 4; break;
        case Op.NE: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1] !== I32[(fp + code[pc + 3]!) << 1]); pc += 4; break;
        case Op.LT: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1]! < I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;
        case Op.LE: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1]! <= I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;
        case Op.GT: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1]! > I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;
        case Op.GE: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1]! >= I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;

        case Op.ADDF: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! + F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.SUBF: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! - F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.MULF: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! * F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.DIVF: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! / F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.REMF: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! % F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.ADDFK: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! + kf[code[pc + 3]!]!; pc += 4; break;
        case Op.SUBFK: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! - kf[code[pc + 3]!]!; pc += 4; break;
        case Op.MULFK: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! * kf[code[pc + 3]!]!; pc += 4; break;
        case Op.DIVFK: F64[fp + code[pc + 1]!] = F64[fp + code[pc + 2]!]! / kf[code[pc + 3]!]!; pc += 4; break;
        case Op.RSUBFK: F64[fp + code[pc + 1]!] = kf[code[pc + 2]!]! - F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.RDIVFK: F64[fp + code[pc + 1]!] = kf[code[pc + 2]!]! / F64[fp + code[pc + 3]!]!; pc += 4; break;
        case Op.NEGF: F64[fp + code[pc + 1]!] = -F64[fp + code[pc + 2]!]!; pc += 3; break;
        case Op.EQF: I32[(fp + code[pc + 1]!) << 1] = +(F64[fp + code[pc + 2]!] === F64[fp + code[pc + 3]!]); pc += 4; break;
        case Op.NEF: I32[(fp + code[pc + 1]!) << 1] = +(F64[fp + code[pc + 2]!] !== F64[fp + code[pc + 3]!]); pc += 4; break;
        case Op.LTF: I32[(fp + code[pc + 1]!) << 1] = +(F64[fp + code[pc + 2]!]! < F64[fp + code[pc + 3]!]!); pc += 4; break;
        case Op.LEF: I32[(fp + code[pc + 1]!) << 1] = +(F64[fp + code[pc + 2]!]! <= F64[fp + code[pc + 3]!]!); pc += 4; break;
        case Op.GTF: I32[(fp + code[pc + 1]!) << 1] = +(F64[fp + code[pc + 2]!]! > F64[fp + code[pc + 3]!]!); pc += 4; break;
        case Op.GEF: I32[(fp + code[pc + 1]!) << 1] = +(F64[fp + code[pc + 2]!]! >= F64[fp + code[pc + 3]!]!); pc += 4; break;

        case Op.I2F: F64[fp + code[pc + 1]!] = I32[(fp + code[pc + 2]!) << 1]!; pc += 3; break;
        case Op.F2I: I32[(fp + code[pc + 1]!) << 1] = f64ToI32(F64[fp + code[pc + 2]!]!); pc += 3; break;
        case Op.EQR: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1] === I32[(fp + code[pc + 3]!) << 1]); pc += 4; break;
        case Op.NER: I32[(fp + code[pc + 1]!) << 1] = +(I32[(fp + code[pc + 2]!) << 1] !== I32[(fp + code[pc + 3]!) << 1]); pc += 4; break;
        case Op.STREQ: I32[(fp + code[pc + 1]!) << 1] = +heap.stringsEqual(I32[(fp + code[pc + 2]!) << 1]!, I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;
        case Op.STRNE: I32[(fp + code[pc + 1]!) << 1] = +!heap.stringsEqual(I32[(fp + code[pc + 2]!) << 1]!, I32[(fp + code[pc + 3]!) << 1]!); pc += 4; break;

        case Op.JMP: pc = code[pc + 1]!; break;
        case Op.JMPLOOP: {
          pc = code[pc + 1]!;
          if (++counters[(fn << 1) + 1] >= loopHot) {
            const osr = tiering.onHotLoop(fn, pc);
            if (osr === null) { counters[(fn << 1) + 1] = 0; break; }
            const r = osr(fp);            // the rest of this frame runs compiled
            I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
            const h = (fp - HEADER_SLOTS) << 1;
            if (!storeResult(rt, fp, fn, r)) return;
            pc = I32[h + 2]!; fp = I32[h + 1]!; fn = I32[(fp - HEADER_SLOTS) << 1]!; code = codes[fn]!;
          }
          break;
        }
        case Op.FORLOOP: case Op.FORLOOPK: {
          const r = (fp + code[pc + 1]!) << 1;
          const i = I32[r]! + 1;
          I32[r] = i;
          if (i >= (code[pc] === Op.FORLOOP ? I32[(fp + code[pc + 2]!) << 1]! : code[pc + 2]!)) { pc += 4; break; }
          pc = code[pc + 3]!;
          if (++counters[(fn << 1) + 1] >= loopHot) {
            const osr = tiering.onHotLoop(fn, pc);
            if (osr === null) { counters[(fn << 1) + 1] = 0; break; }
            const res = osr(fp);
            I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
            const h = (fp - HEADER_SLOTS) << 1;
            if (!storeResult(rt, fp, fn, res)) return;
            pc = I32[h + 2]!; fp = I32[h + 1]!; fn = I32[(fp - HEADER_SLOTS) << 1]!; code = codes[fn]!;
          }
          break;
        }
        case Op.JT: pc = I32[(fp + code[pc + 1]!) << 1] ? code[pc + 2]! : pc + 3; break;
        case Op.JF: pc = I32[(fp + code[pc + 1]!) << 1] ? pc + 3 : code[pc + 2]!; break;
        case Op.JEQ: pc = I32[(fp + code[pc + 1]!) << 1] === I32[(fp + code[pc + 2]!) << 1] ? code[pc + 3]! : pc + 4; break;
        case Op.JNE: pc = I32[(fp + code[pc + 1]!) << 1] !== I32[(fp + code[pc + 2]!) << 1] ? code[pc + 3]! : pc + 4; break;
        case Op.JLT: pc = I32[(fp + code[pc + 1]!) << 1]! < I32[(fp + code[pc + 2]!) << 1]! ? code[pc + 3]! : pc + 4; break;
        case Op.JLE: pc = I32[(fp + code[pc + 1]!) << 1]! <= I32[(fp + code[pc + 2]!) << 1]! ? code[pc + 3]! : pc + 4; break;
        case Op.JGT: pc = I32[(fp + code[pc + 1]!) << 1]! > I32[(fp + code[pc + 2]!) << 1]! ? code[pc + 3]! : pc + 4; break;
        case Op.JGE: pc = I32[(fp + code[pc + 1]!) << 1]! >= I32[(fp + code[pc + 2]!) << 1]! ? code[pc + 3]! : pc + 4; break;
        case Op.JEQK: pc = I32[(fp + code[pc + 1]!) << 1] === code[pc + 2] ? code[pc + 3]! : pc + 4; break;
        case Op.JNEK: pc = I32[(fp + code[pc + 1]!) << 1] !== code[pc + 2] ? code[pc + 3]! : pc + 4; break;
        case Op.JLTK: pc = I32[(fp + code[pc + 1]!) << 1]! < code[pc + 2]! ? code[pc + 3]! : pc + 4; break;
        case Op.JLEK: pc = I32[(fp + code[pc + 1]!) << 1]! <= code[pc + 2]! ? code[pc + 3]! : pc + 4; break;
        case Op.JGTK: pc = I32[(fp + code[pc + 1]!) << 1]! > code[pc + 2]! ? code[pc + 3]! : pc + 4; break;
        case Op.JGEK: pc = I32[(fp + code[pc + 1]!) << 1]! >= code[pc + 2]! ? code[pc + 3]! : pc + 4; break;

        case Op.CALL: {
          // Push the callee's frame over our call area: header in R[base], R[base+1].
          const callee = code[pc + 1]!;
          const nfp = fp + code[pc + 2]! + HEADER_SLOTS;
          if (nfp + frameSizes[callee]! > stackEnd) throw new Trap('stack overflow');
          if (++counters[callee << 1] === callHot) tiering.onHotCall(callee);
          const h = (nfp - HEADER_SLOTS) << 1;
          I32[h] = callee; I32[h + 1] = fp; I32[h + 2] = pc + 4;
          const entry = entries[callee];
          if (entry !== null) {          // compiled: cross through its i2c adapter
            I32[h + 3] = -1;
            entry(nfp, (fp + code[pc + 3]!) << 3);
            I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
            pc += 4; break;
          }
          I32[h + 3] = code[pc + 3]!;
          fp = nfp; fn = callee; code = codes[callee]!; pc = 0;
          break;
        }
        case Op.CALLV: {
          const v = I32[(fp + code[pc + 1]!) << 1]!;
          if (v === 0) nullRef();
          const callee = v - 1;
          const nfp = fp + code[pc + 3]! + HEADER_SLOTS;
          if (nfp + frameSizes[callee]! > stackEnd) throw new Trap('stack overflow');
          if (++counters[callee << 1] === callHot) tiering.onHotCall(callee);
          const h = (nfp - HEADER_SLOTS) << 1;
          I32[h] = callee; I32[h + 1] = fp; I32[h + 2] = pc + 5;
          const entry = entries[callee];
          if (entry !== null) {
            I32[h + 3] = -1;
            entry(nfp, (fp + code[pc + 4]!) << 3);
            I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
            pc += 5; break;
          }
          I32[h + 3] = code[pc + 4]!;
          fp = nfp; fn = callee; code = codes[callee]!; pc = 0;
          break;
        }
        case Op.CALLX: {
          rt.hostCallerFp = fp; I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const saved = rt.sp;
          rt.sp = fp + frameSizes[fn]!;
          try {
            callExtern(rt, code[pc + 1]!, fp + code[pc + 2]! + HEADER_SLOTS, fp + code[pc + 3]!);
          } finally { rt.sp = saved; rt.hostCallerFp = -1; }
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          pc += 4; break;
        }
        // Return: the header names the caller's frame, resume position and result
        // register (-1: the caller is the host, which reads rt.resultI/resultF).
        case Op.RETI: case Op.RETR: {
          const h = (fp - HEADER_SLOTS) << 1;
          const v = I32[(fp + code[pc + 1]!) << 1]!, dst = I32[h + 3]!;
          if (dst < 0) { rt.resultI = v; I32[TOP_FP_WORD] = I32[h + 1]!; return; }
          pc = I32[h + 2]!; fp = I32[h + 1]!;
          I32[(fp + dst) << 1] = v;
          fn = I32[(fp - HEADER_SLOTS) << 1]!; code = codes[fn]!;
          break;
        }
        case Op.RETF: {
          const h = (fp - HEADER_SLOTS) << 1;
          const v = F64[fp + code[pc + 1]!]!, dst = I32[h + 3]!;
          if (dst < 0) { rt.resultF = v; I32[TOP_FP_WORD] = I32[h + 1]!; return; }
          pc = I32[h + 2]!; fp = I32[h + 1]!;
          F64[fp + dst] = v;
          fn = I32[(fp - HEADER_SLOTS) << 1]!; code = codes[fn]!;
          break;
        }
        case Op.RETV: {
          const h = (fp - HEADER_SLOTS) << 1;
          if (I32[h + 3]! < 0) { I32[TOP_FP_WORD] = I32[h + 1]!; return; }
          pc = I32[h + 2]!; fp = I32[h + 1]!;
          fn = I32[(fp - HEADER_SLOTS) << 1]!; code = codes[fn]!;
          break;
        }

        case Op.NEWSTRUCT: {
          const st = code[pc + 2]!;
          I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const a = heap.newStruct(st);
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          I32[(fp + code[pc + 1]!) << 1] = a; pc += 3; break;
        }
        case Op.GETFI: case Op.GETFR: {
          const o = I32[(fp + code[pc + 2]!) << 1]!; if (o === 0) nullRef();
          I32[(fp + code[pc + 1]!) << 1] = I32[(o + code[pc + 3]!) >> 2]!; pc += 4; break;
        }
        case Op.GETFF: {
          const o = I32[(fp + code[pc + 2]!) << 1]!; if (o === 0) nullRef();
          F64[fp + code[pc + 1]!] = F64[(o + code[pc + 3]!) >> 3]!; pc += 4; break;
        }
        case Op.SETFI: case Op.SETFR: {
          const o = I32[(fp + code[pc + 1]!) << 1]!; if (o === 0) nullRef();
          I32[(o + code[pc + 2]!) >> 2] = I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        }
        case Op.SETFF: {
          const o = I32[(fp + code[pc + 1]!) << 1]!; if (o === 0) nullRef();
          F64[(o + code[pc + 2]!) >> 3] = F64[fp + code[pc + 3]!]!; pc += 4; break;
        }

        case Op.NEWARRI: case Op.NEWARRF: case Op.NEWARRR: {
          const op = code[pc] as Op;
          const kind = op === Op.NEWARRI ? ObjKind.ARR_I : op === Op.NEWARRF ? ObjKind.ARR_F : ObjKind.ARR_R;
          I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const a = heap.newArray(kind, I32[(fp + code[pc + 2]!) << 1]!);
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          I32[(fp + code[pc + 1]!) << 1] = a; pc += 3; break;
        }
        case Op.AGETI: case Op.AGETR: {
          const a = I32[(fp + code[pc + 2]!) << 1]!; if (a === 0) nullRef();
          const i = I32[(fp + code[pc + 3]!) << 1]!, len = I32[(a >> 2) + 1]!;
          if (i >>> 0 >= len) outOfBounds(i, len);
          I32[(fp + code[pc + 1]!) << 1] = I32[(a >> 2) + 2 + i]!; pc += 4; break;
        }
        case Op.AGETF: {
          const a = I32[(fp + code[pc + 2]!) << 1]!; if (a === 0) nullRef();
          const i = I32[(fp + code[pc + 3]!) << 1]!, len = I32[(a >> 2) + 1]!;
          if (i >>> 0 >= len) outOfBounds(i, len);
          F64[fp + code[pc + 1]!] = F64[(a >> 3) + 1 + i]!; pc += 4; break;
        }
        case Op.ASETI: case Op.ASETR: {
          const a = I32[(fp + code[pc + 1]!) << 1]!; if (a === 0) nullRef();
          const i = I32[(fp + code[pc + 2]!) << 1]!, len = I32[(a >> 2) + 1]!;
          if (i >>> 0 >= len) outOfBounds(i, len);
          I32[(a >> 2) + 2 + i] = I32[(fp + code[pc + 3]!) << 1]!; pc += 4; break;
        }
        case Op.ASETF: {
          const a = I32[(fp + code[pc + 1]!) << 1]!; if (a === 0) nullRef();
          const i = I32[(fp + code[pc + 2]!) << 1]!, len = I32[(a >> 2) + 1]!;
          if (i >>> 0 >= len) outOfBounds(i, len);
          F64[(a >> 3) + 1 + i] = F64[fp + code[pc + 3]!]!; pc += 4; break;
        }
        case Op.LEN: {
          const a = I32[(fp + code[pc + 2]!) << 1]!; if (a === 0) nullRef();
          I32[(fp + code[pc + 1]!) << 1] = I32[(a >> 2) + 1]!; pc += 3; break;
        }
        case Op.SGET: {
          const s = I32[(fp + code[pc + 2]!) << 1]!; if (s === 0) nullRef();
          const i = I32[(fp + code[pc + 3]!) << 1]!, len = I32[(s >> 2) + 1]!;
          if (i >>> 0 >= len) outOfBounds(i, len);
          I32[(fp + code[pc + 1]!) << 1] = U16[(s >> 1) + 4 + i]!; pc += 4; break;
        }
        case Op.CONCAT: {
          const a = I32[(fp + code[pc + 2]!) << 1]!, b = I32[(fp + code[pc + 3]!) << 1]!;
          if (a === 0 || b === 0) nullRef();
          I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const r = heap.concat(a, b);
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          I32[(fp + code[pc + 1]!) << 1] = r; pc += 4; break;
        }

        case Op.GETGI: case Op.GETGR: I32[(fp + code[pc + 1]!) << 1] = I32[(gb + code[pc + 2]!) << 1]!; pc += 3; break;
        case Op.GETGF: F64[fp + code[pc + 1]!] = F64[gb + code[pc + 2]!]!; pc += 3; break;
        case Op.SETGI: case Op.SETGR: I32[(gb + code[pc + 1]!) << 1] = I32[(fp + code[pc + 2]!) << 1]!; pc += 3; break;
        case Op.SETGF: F64[gb + code[pc + 1]!] = F64[fp + code[pc + 2]!]!; pc += 3; break;

        case Op.OUTI: out.write(code[pc + 2] ? I32[(fp + code[pc + 1]!) << 1] + '\n' : String(I32[(fp + code[pc + 1]!) << 1])); pc += 3; break;
        case Op.OUTF: out.write(formatF64(F64[fp + code[pc + 1]!]!) + (code[pc + 2] ? '\n' : '')); pc += 3; break;
        case Op.OUTB: out.write((I32[(fp + code[pc + 1]!) << 1] ? 'true' : 'false') + (code[pc + 2] ? '\n' : '')); pc += 3; break;
        case Op.OUTS: {
          const s = I32[(fp + code[pc + 1]!) << 1]!; if (s === 0) nullRef();
          out.write(heap.readString(s) + (code[pc + 2] ? '\n' : '')); pc += 3; break;
        }
        case Op.TOSTRI: case Op.TOSTRF: case Op.TOSTRB: {
          const op = code[pc] as Op, r = code[pc + 2]!;
          const text = op === Op.TOSTRI ? String(I32[(fp + r) << 1]) : op === Op.TOSTRF ? formatF64(F64[fp + r]!) : I32[(fp + r) << 1] ? 'true' : 'false';
          I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const a = heap.newString(text);
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          I32[(fp + code[pc + 1]!) << 1] = a; pc += 3; break;
        }
        case Op.SQRT: F64[fp + code[pc + 1]!] = Math.sqrt(F64[fp + code[pc + 2]!]!); pc += 3; break;
        case Op.MATH1: F64[fp + code[pc + 1]!] = MATH1[code[pc + 3]!]!(F64[fp + code[pc + 2]!]!); pc += 4; break;
        case Op.MATH2: F64[fp + code[pc + 1]!] = MATH2[code[pc + 4]!]!(F64[fp + code[pc + 2]!]!, F64[fp + code[pc + 3]!]!); pc += 5; break;
        case Op.CLOCK: F64[fp + code[pc + 1]!] = performance.now(); pc += 2; break;
        case Op.FIXED: case Op.CHR: {
          const text = code[pc] === Op.FIXED
            ? fixed(F64[fp + code[pc + 2]!]!, I32[(fp + code[pc + 3]!) << 1]!)
            : chr(I32[(fp + code[pc + 2]!) << 1]!);
          I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const a = heap.newString(text);
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          I32[(fp + code[pc + 1]!) << 1] = a; pc += code[pc] === Op.FIXED ? 4 : 3; break;
        }
        case Op.SUBSTR: {
          const s = I32[(fp + code[pc + 2]!) << 1]!; if (s === 0) nullRef();
          I32[TOP_FP_WORD] = fp; I32[TOP_PC_WORD] = pc;
          const a = heap.substr(s, I32[(fp + code[pc + 3]!) << 1]!, I32[(fp + code[pc + 4]!) << 1]!);
          I32 = mem.i32; F64 = mem.f64; U16 = mem.u16;
          I32[(fp + code[pc + 1]!) << 1] = a; pc += 5; break;
        }
        case Op.PARSEI: {
          const s = I32[(fp + code[pc + 2]!) << 1]!; if (s === 0) nullRef();
          I32[(fp + code[pc + 1]!) << 1] = parseI32(heap.readString(s)); pc += 3; break;
        }
        case Op.PARSEF: {
          const s = I32[(fp + code[pc + 2]!) << 1]!; if (s === 0) nullRef();
          F64[fp + code[pc + 1]!] = parseF64(heap.readString(s)); pc += 3; break;
        }
        case Op.PANIC: {
          const s = I32[(fp + code[pc + 1]!) << 1]!; if (s === 0) nullRef();
          throw new Trap(heap.readString(s));
        }
        default: {
          const bad: never = code[pc] as never;
          throw new Error(`unknown opcode ${bad} at ${pc}`);
        }
      }
    }
  } catch (e) {
    if (e instanceof Trap) throw new GuestFault(e, { fn, pc, fp });
    throw e;
  }
}
