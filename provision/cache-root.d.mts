export function cacheRoot(env?: NodeJS.ProcessEnv): string;
