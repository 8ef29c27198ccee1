/**
 * Version of this library, recorded with every run. Bump the minor number
 * whenever a change alters the numbers a run produces (so stored runs made by
 * an older version are not silently reused).
 */
export const LIB_VERSION = "0.1.0";
