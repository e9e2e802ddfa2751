// Group 5 of the ejected copies (see ejected-copy.ts): one file per group so vitest verifies several at once.
import { describeEjectedCopies } from "./ejected-copy.ts";

describeEjectedCopies(5);
