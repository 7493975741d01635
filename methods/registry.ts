// Every built-in method, one line each. Adding a method: create methods/<id>/ and add its line here.
import type { MethodDefinition } from "../harness/types.ts";
import { oracle } from "./oracle/method.ts";
import { random } from "./random/method.ts";

export const METHODS: readonly MethodDefinition[] = [oracle, random];
