/** A value that survives JSON.stringify/parse unchanged: what journaled step outputs must be. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
