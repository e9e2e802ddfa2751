export declare const MINIMUM_NODE: [number, number, number];
export declare function nodeVersionProblem(version: string): string | undefined;
