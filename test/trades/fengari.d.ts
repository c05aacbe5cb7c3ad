/** The part of fengari (a Lua 5.3 VM in JavaScript) that luau-module.test.ts uses; the package ships no types. */
declare module 'fengari' {
  type LuaState = object;
  export const lua: {
    LUA_OK: number;
    lua_pushstring(L: LuaState, s: Uint8Array): void;
    lua_setglobal(L: LuaState, name: Uint8Array): void;
    lua_getglobal(L: LuaState, name: Uint8Array): number;
    lua_tojsstring(L: LuaState, index: number): string;
  };
  export const lauxlib: { luaL_newstate(): LuaState; luaL_dostring(L: LuaState, code: Uint8Array): number };
  export const lualib: { luaL_openlibs(L: LuaState): void };
  export function to_luastring(s: string): Uint8Array;
}
