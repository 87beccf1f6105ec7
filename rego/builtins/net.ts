import { defineAll } from "./types";

// Placeholder family file: its owner fills it in.
export const builtins = defineAll([]);
