// The disassembler: bytecode as text, one instruction per line.
//
// Output format (stable; tests read it):
//   fn NAME(kinds) -> kind  regs=N area=B
//     PC  OPCODE operands        ; line L
// Registers print as r3, constants with their value, jump targets as @PC.

import { Op, OP_INFO } from './opcodes.js';
import { MATH1_FNS, MATH2_FNS } from './builtins.js';
import { kindName, type BcFunction, type BcModule } from './module.js';

export function disassembleModule(mod: BcModule): string {
  return mod.functions.map((f) => disassembleFunction(mod, f)).join('\n');
}

export function disassembleFunction(mod: BcModule, fn: BcFunction): string {
  const kinds = Array.from(fn.regKinds, kindName).join('');
  const sig = `${fn.params.map(kindName).join(', ')}`;
  const out = [`fn ${fn.name}(${sig})${fn.ret ? ' -> ' + kindName(fn.ret) : ''}  regs=${kinds} area=${fn.areaBase}`];
  let lastLine = -1;
  for (let pc = 0; pc < fn.code.length;) {
    const op = fn.code[pc] as Op;
    const info = OP_INFO[op];
    const ops = info.args.map((a, i) => formatOperand(mod, op, a, fn.code[pc + 1 + i]!)).join(', ');
    const line = fn.lines[pc]!;
    const text = `  ${String(pc).padStart(4, '0')}  ${info.name.padEnd(9)} ${ops}`;
    out.push(line !== lastLine ? `${text.padEnd(44)} ; line ${line}` : text);
    lastLine = line;
    pc += 1 + info.args.length;
  }
  return out.join('\n') + '\n';
}

function formatOperand(mod: BcModule, op: Op, a: string, v: number): string {
  switch (a) {
    case 'ri': case 'rf': case 'rr': case 'wi': case 'wf': case 'wr': case 'base': case 'dst': return `r${v}`;
    case 'kf': return `${mod.f64Consts[v]}`;
    case 'ks': return JSON.stringify(mod.strConsts[v]);
    case 'fn': return mod.functions[v]?.name ?? `fn#${v}`;
    case 'ext': return `extern ${mod.externs[v]?.name ?? v}`;
    case 'glob': return `g:${mod.globals[v]?.name ?? v}`;
    case 'st': return mod.structs[v]?.name ?? `struct#${v}`;
    case 'sig': return `sig#${v}`;
    case 'lbl': return `@${v}`;
    case 'off': return `+${v}`;
    case 'imm':
      if (op === Op.MATH1) return MATH1_FNS[v] ?? String(v);
      if (op === Op.MATH2) return MATH2_FNS[v] ?? String(v);
      return String(v);
    default: return String(v);
  }
}
