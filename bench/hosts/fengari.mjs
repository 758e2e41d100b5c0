#!/usr/bin/env node
// Runs a Lua file on fengari (Lua 5.3 implemented in JavaScript), the way a Node or
// browser application embeds it: a fresh lua_State with the standard libraries, the
// global `arg` table filled as the `lua` command does (arg[0] = script, arg[1..] =
// arguments), the chunk loaded and called under lua_pcall. `print` writes to
// process.stdout (fengari's own base library). Errors go to stderr, exit status 1.
//
//   node bench/hosts/fengari.mjs FILE.lua [ARGS...]

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { lua, lauxlib, lualib, to_luastring } = require('fengari');

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/hosts/fengari.mjs FILE.lua [ARGS...]\n');
  process.exit(2);
}

const L = lauxlib.luaL_newstate();
lualib.luaL_openlibs(L);
lua.lua_createtable(L, args.length, 1);
lua.lua_pushstring(L, to_luastring(file));
lua.lua_rawseti(L, -2, 0);
args.forEach((a, i) => {
  lua.lua_pushstring(L, to_luastring(a));
  lua.lua_rawseti(L, -2, i + 1);
});
lua.lua_setglobal(L, to_luastring('arg'));

const status = lauxlib.luaL_loadfile(L, to_luastring(file)) || lua.lua_pcall(L, 0, 0, 0);
if (status !== lua.LUA_OK) {
  process.stderr.write(`fengari: ${lua.lua_tojsstring(L, -1)}\n`);
  process.exitCode = 1;
}
