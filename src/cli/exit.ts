/** 0 success, 1 gate failed, 2 user error, 3 internal error. */
export type ExitCode = 0 | 1 | 2 | 3;
